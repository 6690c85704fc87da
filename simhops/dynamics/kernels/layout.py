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
# disturbances of the episode (per drone, so domain randomization can change them)
P_GUST_STD = 35     # m/s, stationary std of each gust component (Ornstein-Uhlenbeck)
P_GUST_PHI = 36     # exp(-control_dt / gust_tau): OU decay per control step
P_LATENCY = 37      # control steps of action latency (stored as float)
P_NOISE_POS = 38    # m, observation noise std, position
P_NOISE_VEL = 39    # m/s, velocity
P_NOISE_ATT = 40    # rad, attitude (small random rotation per axis)
P_NOISE_RATE = 41   # rad/s, body rates
P_MOTOR_NOISE = 42  # N per T_max: motor-command noise std as a fraction of T_max, per control step
P_CONTROL_DT = 43   # s, control step
PHYS_DIM = 44

# lane block of the physics kernel: LANES drones side by side (structure of arrays), so the
# compiler runs one sub-step of several drones in SIMD registers; row r of lane j is
# blk[r * LANES + j]
LANES = 16
B_STATE = 0         # rows 0..16: the drone state (layout above)
B_U = 17            # rows 17..20: normalized rotor speeds u_i = w_i / w_max = sqrt(T_i / T_max)
B_CMD = 21          # rows 21..24: the command (SI)
B_NOISE = 25        # rows 25..28: motor-command noise (N)
B_WIND = 29         # rows 29..31: wind of this control step, constant + gust (m/s, world ENU)
B_IM = 32           # 1/kg, inverse mass
B_GRAVITY = 33      # m/s^2
B_IXX = 34          # kg m^2, rows 34..36: Ixx, Iyy, Izz
B_TMAX = 37         # N
B_INV_TMAX = 38     # 1/N
B_YAW_K = 39        # m
B_ARM = 40          # m
B_INV4A = 41        # 1/m, 1 / (4 arm)
B_INV4K = 42        # 1/m, 1 / (4 yaw_k)
B_KP = 43           # rows 43..45: I * Kp (kg m^2/s)
B_KD = 46           # rows 46..48: Kd
B_ROTOR = 49        # rows 49..54: alpha, b1, b2 spin-up, then spin-down
B_DRAG = 55         # rows 55..57: N/(m/s)
B_PROP_R = 58       # m
BLOCK_ROWS = 59
BLOCK_SIZE = BLOCK_ROWS * LANES

# action latency FIFO: at most this many control steps
MAX_LATENCY_STEPS = 10

# domain randomization spec (RAND_DIM,): for each quantity q, [kind, low, high] at 3 q
RAND_OFF = 0
RAND_REL_UNIFORM = 1
RAND_REL_LOG_UNIFORM = 2
RAND_ABS_UNIFORM = 3
RAND_ABS_LOG_UNIFORM = 4
RAND_KINDS = {"none": RAND_OFF, "relative_uniform": RAND_REL_UNIFORM, "relative_log_uniform": RAND_REL_LOG_UNIFORM,
              "absolute_uniform": RAND_ABS_UNIFORM, "absolute_log_uniform": RAND_ABS_LOG_UNIFORM}
RQ_MASS = 0             # kg
RQ_INERTIA = 1          # kg m^2 (one factor for Ixx, Iyy, Izz; absolute ranges apply to Ixx = Iyy, Izz keeps its ratio)
RQ_THRUST = 2           # N, max motor thrust (thrust coefficient at fixed max rotor speed; sets thrust-to-weight)
RQ_YAW_K = 3            # m, yaw torque per thrust
RQ_MOTOR_TAU = 4        # s, both rotor time constants (absolute: spin-up; spin-down keeps its ratio)
RQ_DRAG = 5             # N/(m/s), all three drag coefficients (absolute: x = y; z keeps its ratio)
RQ_LATENCY = 6          # control steps (rounded down, clipped to [0, MAX_LATENCY_STEPS])
RQ_WIND = 7             # m/s, constant wind speed, horizontal, uniform random direction
RQ_GUST = 8             # m/s, gust std
RQ_NOISE = 9            # -, factor on every observation-noise std (absolute values are the factor too)
RAND_QUANTITIES = ("mass", "inertia", "thrust", "yaw_torque", "motor_tau", "drag", "latency", "wind_speed",
                   "gust_std", "obs_noise_scale")
RAND_DIM = 3 * len(RAND_QUANTITIES)

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
R_TILT = 6          # per unit of (1 - cos tilt)
R_ACTION_RATE = 7   # per squared norm of the normalized action change
R_TILT_LIMIT_COS = 8  # cos of the tilt limit (the hinge starts beyond it)
R_TILT_LIMIT = 9    # per unit of (cos limit - cos tilt) beyond the tilt limit
R_DESCENT_LIMIT = 10  # m/s, descent speed where the descent hinge starts
R_DESCENT = 11      # per m/s of descent speed beyond the limit
REWARD_DIM = 12

# crash codes
CRASH_NONE = 0
CRASH_GROUND = 1
CRASH_DOME = 2
CRASH_NONFINITE = 3
CRASH_NAMES = ("none", "ground", "dome", "non_finite")

# observation
OBS_LIMIT = 1000.0  # observations are clipped to [-OBS_LIMIT, OBS_LIMIT]
OBS_BASE_DIM = 20   # body velocity 3 + rotation matrix 9 + body rates 3 + last action 4 + distance to the active waypoint 1


def obs_dim(n_obs_waypoints: int) -> int:
    """Length of the flat observation for ``n_obs_waypoints`` upcoming waypoints."""
    return 3 * n_obs_waypoints + OBS_BASE_DIM
