"""The benchmark harness behind `make bench` (`python -m benchmarks.run`).

It times the real `tuphap load` as a separate process against the "floor": the least work any
load must do (parse every file once, one SQL statement for the three fact tables), so a number
such as "the load takes 4× the floor" says how much room is left. See README.md in this folder.
"""
