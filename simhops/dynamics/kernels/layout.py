"""Index constants of the kernel arrays (module globals are compile-time constants for numba)."""

# drone state (N, 17)
POS = 0
QUAT = 3
VEL = 7
RATES = 10
MOTORS = 13         # motor thrusts T_i = kf w_i^2 (N): the rotor-speed state w_i = sqrt(T_i / kf)
STATE_DIM = 17

# action / command modes
MODE_CTBR = 0
MODE_MOTOR = 1
ACTION_MODES = {"ctbr": MODE_CTBR, "motor": MODE_MOTOR}

# physics params (one row per drone: (PHYS_DIM,) or (N, PHYS_DIM))
P_MASS = 0          # kg
P_GRAVITY = 1       # m/s^2
P_IXX = 2           # kg m^2
P_IYY = 3
P_IZZ = 4
P_TMAX = 5          # N, max thrust of one motor
P_YAW_K = 6         # m, yaw (reaction) torque per newton of thrust
P_ARM_XY = 7        # m, |x| = |y| of each rotor
P_KP_X = 8          # 1/s, body-rate P gains
P_KP_Y = 9
P_KP_Z = 10
P_KD_X = 11         # -, body-rate D gains (on the angular acceleration of the current rotor torques)
P_KD_Y = 12
P_KD_Z = 13
P_DT_SUB = 14       # s, physics sub-step
P_N_SUB = 15        # physics sub-steps per control step (stored as float)
P_MAX_RATE_X = 16   # rad/s, body rate for a normalized command of 1
P_MAX_RATE_Y = 17
P_MAX_RATE_Z = 18
P_TAU_UP = 19       # s, rotor-speed time constant, spin-up
P_TAU_DN = 20       # s, rotor-speed time constant, spin-down
P_ALPHA_UP = 21     # exp(-dt_sub / tau_up)
P_B1_UP = 22        # (tau_up / dt_sub) (1 - alpha_up): sub-step mean of exp(-t / tau_up)
P_B2_UP = 23        # (tau_up / (2 dt_sub)) (1 - alpha_up^2): sub-step mean of exp(-2 t / tau_up)
P_ALPHA_DN = 24     # the same three for spin-down
P_B1_DN = 25
P_B2_DN = 26
P_DRAG_X = 27       # N/(m/s), linear body-frame drag coefficients
P_DRAG_Y = 28
P_DRAG_Z = 29
P_GROUND_EFFECT = 30  # 1.0: Cheeseman-Bennett ground effect on, 0.0: off
P_PROP_R = 31       # m, propeller radius
P_WIND_X = 32       # m/s, constant wind, world ENU (gusts come on top, per step)
P_WIND_Y = 33
P_WIND_Z = 34
PHYS_DIM = 35

# course params
C_REACH = 0         # m, reach radius
C_DOME = 1          # m, flight dome radius (sphere around the origin)
C_MIN_ALT = 2       # m
C_MAX_ALT = 3       # m
C_HOP_MIN = 4       # m
C_HOP_MAX = 5       # m
C_START_X = 6       # m
C_START_Y = 7
C_START_Z = 8
C_MARGIN = 9        # m, waypoints stay this far inside the dome
COURSE_DIM = 10

# reward params
R_PROGRESS = 0      # 1/m
R_WAYPOINT = 1
R_COMPLETION = 2
R_CRASH = 3
R_RATE = 4          # per (rad/s)^2
R_TIME = 5          # per step
REWARD_DIM = 6

# crash codes
CRASH_NONE = 0
CRASH_GROUND = 1
CRASH_DOME = 2
CRASH_NONFINITE = 3
CRASH_NAMES = ("none", "ground", "dome", "non_finite")

# observation
OBS_LIMIT = 1000.0  # observations are clipped to [-OBS_LIMIT, OBS_LIMIT]
OBS_BASE_DIM = 20   # body velocity 3 + rotation matrix 9 + body rates 3 + last action 4 + altitude 1


def obs_dim(n_obs_waypoints: int) -> int:
    """Length of the flat observation for ``n_obs_waypoints`` upcoming waypoints."""
    return 3 * n_obs_waypoints + OBS_BASE_DIM
