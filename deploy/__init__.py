"""Running tuphap-warehouse as a service: the instance's dagster.yaml and `make serve`."""
