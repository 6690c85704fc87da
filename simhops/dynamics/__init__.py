"""Ground floor of simhops: the drone's dynamics.

`DroneState`, airframes and physics parameters, and the numba array kernels
(physics, course, reward, observation, fused vector step) shared by the single
env, `Simulation` and the vector env. Imports nothing from simhops except
`simhops.config`.
"""
