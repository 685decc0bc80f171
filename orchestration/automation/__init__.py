"""When loads run: the job, its year partitions, the yearly schedule and the inbox sensor."""
