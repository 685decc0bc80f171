"""Publishing a load's build: the `published_warehouse` asset."""
