// dark_room.c — the dark room of in-context RL (Laskin et al. 2022, "algorithm
// distillation"; Lee et al. 2023) as a metarl plugin: find a hidden goal cell on an
// empty G x G grid, then keep standing on it.
//
// Grid: G x G cells (param `size`, default 9), no inner walls. A cell is (row, col),
// row 0 at the top; its index is row * G + col. The start is the centre cell
// (G/2, G/2) (rounded down), or with `random_start` a cell drawn uniformly from all
// G*G cells by the episode stream at every reset.
// Task: the goal cell, uniform over the G*G - 1 cells other than the centre (80 goals
// for 9 x 9), so a fixed-start episode never begins on the goal. task_bytes = 24. Its
// fingerprint is the goal alone (see dr_task_fingerprint).
// Actions (DISCRETE 5): 0 up, 1 down, 2 left, 3 right, 4 stay; a move into the border
// leaves the agent where it is.
// Observation (param `obs`): `cell` (default) is DISCRETE G*G, the agent's cell index;
// `xy` is BOX (2) in [-1, 1], the agent's (row, col) scaled so that row 0 / col 0 is -1,
// row G-1 / col G-1 is +1 and the centre of an odd grid is (0, 0). Same information,
// but an agent can generalise across cells with it (a one-hot index gives each cell
// its own input weights). Nothing else: the goal is only revealed by the reward.
// Reward: 1 for every step that ends on the goal, else 0.
// End flags: by default (`terminate_at_goal: false`, the in-context-RL convention) the
// episode always runs to the horizon (param `horizon`, default 20) and ends with
// truncated = 1, so a table's success column is 0 (ABI 1.0 has no way to report success
// without termination; judge by return). With `terminate_at_goal: true` the first step
// onto the goal pays 1 and ends the episode with MRL_TERM_SUCCESS.
//
// Oracle (exact, integer): with d the Manhattan distance to the goal and r the steps left,
// the first reward comes after k = max(d, 1) steps (standing on the goal, "stay" pays the
// next step). value = r - k + 1 (k <= r; or 1 with terminate_at_goal), 0 if k > r;
// steps = k, INFINITY if k > r (the goal cannot be reached in this episode); after the
// episode ended: value 0, steps 0. Action: a move that shortens the distance (rows first),
// stay on the goal.
// Render: text (bordered grid: A agent, G goal, * agent on goal) and RGB, 8 x 8 pixels per
// cell; both views draw the same top-down picture (the agent sees only its position).
//
// Build: part of the main build (plugins/dark_room/CMakeLists.txt), output
// <build>/plugins/dark_room.so. Test: ctest -R 'dark_room|conformance'.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <metarl/plugin.h>

#define MIN_SIZE 3
#define MAX_SIZE 63
#define MAX_HORIZON 100000
#define CELL_PX 8

enum { A_UP, A_DOWN, A_LEFT, A_RIGHT, A_STAY, N_ACTIONS };
enum { P_SIZE, P_HORIZON, P_RANDOM_START, P_TERMINATE, P_OBS, N_PARAMS };
enum { OBS_CELL, OBS_XY };

static const char* const obs_names[] = {"cell", "xy", NULL};

static const MrlParamDef params_table[N_PARAMS] = {
    [P_SIZE] = {"size", MRL_PARAM_INT, MRL_PARAM_SHAPE, 9, MIN_SIZE, MAX_SIZE, NULL,
                "grid side G (G x G cells); the observation is one of G*G cells"},
    [P_HORIZON] = {"horizon", MRL_PARAM_INT, MRL_PARAM_SHAPE, 20, 1, MAX_HORIZON, NULL,
                   "steps per episode; the episode is truncated there"},
    [P_RANDOM_START] = {"random_start", MRL_PARAM_BOOL, 0, 0, 0, 0, NULL,
                        "start each episode on a uniformly random cell instead of the centre"},
    [P_TERMINATE] = {"terminate_at_goal", MRL_PARAM_BOOL, 0, 0, 0, 0, NULL,
                     "end the episode (success) on the first step onto the goal"},
    [P_OBS] = {"obs", MRL_PARAM_CHOICE, MRL_PARAM_SHAPE, OBS_CELL, 0, 0, obs_names,
               "cell: the cell index (DISCRETE G*G); xy: (row, col) scaled to [-1, 1] "
               "(BOX 2)"},
};

// ---- task and state ----

// one task: plain bytes, no padding (6 x int32)
typedef struct DarkTask {
    int32_t goal_row;
    int32_t goal_col;
    int32_t size;         // G, copied from the parameters
    int32_t horizon;      // copied
    int32_t random_start; // 0 or 1, copied (may be drawn per task)
    int32_t terminate;    // 0 or 1, copied (may be drawn per task)
} DarkTask;

// one instance
typedef struct DarkState {
    const DarkTask* task; // borrowed from the host until the next reset; NULL before it
    int32_t row, col;     // the agent's cell
    int32_t t;            // steps taken in this episode
    int32_t done;         // 1 once the episode ended
    int32_t obs_xy;       // 1: `obs: xy` (set by init from the parameters)
    double ret;           // return so far (for the render)
} DarkState;

static int32_t size_of(const double* p) {
    return (int32_t)p[P_SIZE];
}

// ---- static callbacks ----

static int32_t check_params(const double* p, char* err) {
    double g = p[P_SIZE], h = p[P_HORIZON];
    if (!(g >= MIN_SIZE && g <= MAX_SIZE) || g != floor(g)) {
        snprintf(err, MRL_ERR_MAX, "size must be an integer in [%d, %d], got %g", MIN_SIZE,
                 MAX_SIZE, g);
        return MRL_EINVAL;
    }
    if (!(h >= 1 && h <= MAX_HORIZON) || h != floor(h)) {
        snprintf(err, MRL_ERR_MAX, "horizon must be an integer in [1, %d], got %g", MAX_HORIZON, h);
        return MRL_EINVAL;
    }
    return MRL_OK;
}

static int32_t dr_describe(MrlEnvInfo* info, const double* p, char* err) {
    int32_t rc = check_params(p, err);
    if (rc != MRL_OK) {
        return rc;
    }
    int32_t g = size_of(p);
    memset(info, 0, sizeof *info);
    if ((int)p[P_OBS] == OBS_XY) {
        info->obs.kind = MRL_SPACE_BOX;
        info->obs.n = 2;
        info->obs.ndim = 1;
        info->obs.shape[0] = 2;
        info->obs.low = -1.0f;
        info->obs.high = 1.0f;
    } else {
        info->obs.kind = MRL_SPACE_DISCRETE;
        info->obs.n = g * g;
    }
    info->action.kind = MRL_SPACE_DISCRETE;
    info->action.n = N_ACTIONS;
    info->task_bytes = sizeof(DarkTask);
    info->state_bytes = sizeof(DarkState);
    info->max_episode_steps = (int64_t)p[P_HORIZON];
    info->reward_min = 0.0;
    info->reward_max = 1.0;
    return MRL_OK;
}

static int32_t dr_task_sample(void* task, const double* p, MrlRng* rng, char* err) {
    int32_t rc = check_params(p, err);
    if (rc != MRL_OK) {
        return rc;
    }
    DarkTask* t = task;
    int32_t g = size_of(p);
    int32_t centre = (g / 2) * g + g / 2;
    int32_t cell = (int32_t)mrl_rng_below(rng, (uint32_t)(g * g - 1)); // any cell but the centre
    cell += cell >= centre;
    t->goal_row = cell / g;
    t->goal_col = cell % g;
    t->size = g;
    t->horizon = (int32_t)p[P_HORIZON];
    t->random_start = p[P_RANDOM_START] != 0.0;
    t->terminate = p[P_TERMINATE] != 0.0;
    return MRL_OK;
}

// The task is its goal: two tasks with the same goal cell on the same grid are one task for
// train/test disjointness, whatever their start mode, horizon or end rule. So a config may
// train on random starts (tasks.train.params) and still hold the goals of its fixed-start
// test set out of training.
static uint64_t dr_task_fingerprint(const void* task, const double* params) {
    (void)params;
    const DarkTask* t = task;
    const int32_t key[3] = {t->size, t->goal_row, t->goal_col};
    return mrl_fingerprint_bytes(key, sizeof key);
}

// ---- instance callbacks ----

static int32_t dr_init(void* state, const double* p, char* err) {
    int32_t rc = check_params(p, err);
    if (rc == MRL_OK) { // otherwise the zero-filled block is a valid "no task yet" state
        ((DarkState*)state)->obs_xy = (int)p[P_OBS] == OBS_XY;
    }
    return rc;
}

// the observation of the agent's cell, in the instance's `obs` mode
static void write_obs(const DarkState* s, float* obs) {
    int32_t g = s->task->size;
    if (s->obs_xy) {
        float scale = 2.0f / (float)(g - 1);
        obs[0] = (float)s->row * scale - 1.0f;
        obs[1] = (float)s->col * scale - 1.0f;
    } else {
        obs[0] = (float)(s->row * g + s->col);
    }
}

static int32_t dr_reset(void* state, float* obs, const void* task, MrlRng* rng, char* err) {
    (void)err;
    DarkState* s = state;
    s->task = task;
    int32_t g = s->task->size;
    if (s->task->random_start) {
        int32_t cell = (int32_t)mrl_rng_below(rng, (uint32_t)(g * g));
        s->row = cell / g;
        s->col = cell % g;
    } else {
        s->row = g / 2;
        s->col = g / 2;
    }
    s->t = 0;
    s->done = 0;
    s->ret = 0.0;
    write_obs(s, obs);
    return MRL_OK;
}

static int32_t dr_step(void* state, float* obs, float* reward, int32_t* terminated,
                       int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    (void)rng;
    DarkState* s = state;
    if (!s->task || s->done) {
        snprintf(err, MRL_ERR_MAX, "step called before reset or after the episode ended");
        return MRL_ESTATE;
    }
    float a = action[0];
    if (!(a >= 0.0f && a < (float)N_ACTIONS) || a != floorf(a)) {
        snprintf(err, MRL_ERR_MAX,
                 "action %g is not 0 (up), 1 (down), 2 (left), 3 (right) or "
                 "4 (stay)",
                 (double)a);
        return MRL_EINVAL;
    }
    const DarkTask* k = s->task;
    int32_t g = k->size;
    switch ((int32_t)a) {
    case A_UP:
        s->row -= s->row > 0;
        break;
    case A_DOWN:
        s->row += s->row < g - 1;
        break;
    case A_LEFT:
        s->col -= s->col > 0;
        break;
    case A_RIGHT:
        s->col += s->col < g - 1;
        break;
    default:
        break;
    }
    s->t++;
    int32_t on_goal = s->row == k->goal_row && s->col == k->goal_col;
    *reward = on_goal ? 1.0f : 0.0f;
    *terminated = on_goal && k->terminate ? MRL_TERM_SUCCESS : MRL_TERM_NONE;
    *truncated = *terminated == MRL_TERM_NONE && s->t >= k->horizon;
    s->done = *terminated != MRL_TERM_NONE || *truncated;
    s->ret += *reward;
    write_obs(s, obs);
    return MRL_OK;
}

// ---- optional capabilities ----

static int32_t dr_render_text(const void* state, char* buf, uint64_t buf_size, char* err) {
    const DarkState* s = state;
    if (buf_size == 0) {
        snprintf(err, MRL_ERR_MAX, "empty render buffer");
        return MRL_EINVAL;
    }
    buf[0] = '\0';
    if (!s->task) {
        snprintf(buf, (size_t)buf_size, "dark_room: no task yet\n");
        return MRL_OK;
    }
    const DarkTask* k = s->task;
    int32_t g = k->size;
    int w = snprintf(buf, (size_t)buf_size, "dark_room %dx%d t=%d/%d return=%g%s\n", (int)g, (int)g,
                     (int)s->t, (int)k->horizon, s->ret, s->done ? " (ended)" : "");
    uint64_t used = w < 0 ? buf_size : (uint64_t)w;
    // rows of g + 2 characters and a newline: a border of '#', then the cells
    for (int32_t r = -1; r <= g && used + 1 < buf_size; r++) {
        for (int32_t c = -1; c <= g + 1 && used + 1 < buf_size; c++) {
            char ch;
            if (c == g + 1) {
                ch = '\n';
            } else if (r < 0 || r == g || c < 0 || c == g) {
                ch = '#';
            } else {
                int agent = r == s->row && c == s->col;
                int goal = r == k->goal_row && c == k->goal_col;
                ch = agent && goal ? '*' : agent ? 'A' : goal ? 'G' : '.';
            }
            buf[used++] = ch;
        }
        buf[used] = '\0';
    }
    return MRL_OK;
}

static int32_t dr_render_size(int32_t* width, int32_t* height, const double* p, int32_t view,
                              char* err) {
    int32_t rc = check_params(p, err);
    if (rc != MRL_OK) {
        return rc;
    }
    if (view != MRL_VIEW_FIRST_PERSON && view != MRL_VIEW_TOP_DOWN) {
        snprintf(err, MRL_ERR_MAX, "unknown view %d", (int)view);
        return MRL_EINVAL;
    }
    *width = size_of(p) * CELL_PX;
    *height = size_of(p) * CELL_PX;
    return MRL_OK;
}

static void put_px(uint8_t* px, uint8_t r, uint8_t g, uint8_t b) {
    px[0] = r;
    px[1] = g;
    px[2] = b;
}

static int32_t dr_render_rgb(const void* state, uint8_t* rgb, int32_t view, char* err) {
    const DarkState* s = state;
    if (view != MRL_VIEW_FIRST_PERSON && view != MRL_VIEW_TOP_DOWN) {
        snprintf(err, MRL_ERR_MAX, "unknown view %d", (int)view);
        return MRL_EINVAL;
    }
    if (!s->task) {
        snprintf(err, MRL_ERR_MAX, "render_rgb called before reset");
        return MRL_ESTATE;
    }
    const DarkTask* k = s->task;
    int32_t g = k->size, w = g * CELL_PX;
    for (int32_t y = 0; y < w; y++) {
        for (int32_t x = 0; x < w; x++) {
            uint8_t* px = rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;
            int32_t r = y / CELL_PX, c = x / CELL_PX;
            int32_t iy = y % CELL_PX, ix = x % CELL_PX;
            int edge = iy == 0 || ix == 0;
            int inner = iy >= 2 && iy <= CELL_PX - 2 && ix >= 2 && ix <= CELL_PX - 2;
            if (r == s->row && c == s->col && inner) {
                put_px(px, 230, 60, 50); // the agent: a red square
            } else if (r == k->goal_row && c == k->goal_col && !edge) {
                put_px(px, 40, 170, 70); // the goal: a green cell
            } else if (edge) {
                put_px(px, 60, 60, 60); // grid lines
            } else {
                put_px(px, 20, 20, 20); // the dark floor
            }
        }
    }
    return MRL_OK;
}

static int32_t dr_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    const DarkState* s = state;
    if (!s->task) {
        snprintf(err, MRL_ERR_MAX, "oracle called before reset");
        return MRL_ESTATE;
    }
    const DarkTask* k = s->task;
    if (s->done) {
        info->valid = MRL_ORACLE_VALUE | MRL_ORACLE_STEPS; // nothing left to earn
        info->value = 0.0;
        info->steps = 0.0;
        return MRL_OK;
    }
    int32_t dr = k->goal_row - s->row, dc = k->goal_col - s->col;
    int32_t d = (dr < 0 ? -dr : dr) + (dc < 0 ? -dc : dc);
    int32_t first = d > 1 ? d : 1; // steps until the first rewarded step
    int32_t left = k->horizon - s->t;
    info->valid = MRL_ORACLE_VALUE | MRL_ORACLE_STEPS | MRL_ORACLE_ACTION;
    if (first > left) {
        info->value = 0.0;
        info->steps = INFINITY;
    } else {
        info->value = k->terminate ? 1.0 : (double)(left - first + 1);
        info->steps = (double)first;
    }
    int32_t a = dr < 0 ? A_UP : dr > 0 ? A_DOWN : dc < 0 ? A_LEFT : dc > 0 ? A_RIGHT : A_STAY;
    action[0] = (float)a;
    return MRL_OK;
}

// ---- the table ----

static const MrlEnvApi dark_room_api = {
    .abi_major = MRL_ABI_MAJOR,
    .abi_minor = MRL_ABI_MINOR,
    .struct_size = sizeof(MrlEnvApi),
    .name = "dark_room",
    .version = "1.0.0",
    .summary = "dark room: find a hidden goal cell on a G x G grid from reward alone",
    .n_params = N_PARAMS,
    .params = params_table,
    .describe = dr_describe,
    .task_sample = dr_task_sample,
    .task_fingerprint = dr_task_fingerprint,
    .init = dr_init,
    .reset = dr_reset,
    .step = dr_step,
    .render_text = dr_render_text,
    .render_size = dr_render_size,
    .render_rgb = dr_render_rgb,
    .oracle = dr_oracle,
};

MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void) {
    return &dark_room_api;
}
