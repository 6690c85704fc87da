"""Training glue: SB3 PPO on the native vector env, with simulation and Rerun callbacks."""
