// point_nav.c — 2-D point navigation to a hidden goal (the "point robot" of MAML,
// Finn et al. 2017, and of sparse-reward meta-RL, Rakelly et al. 2019; Zintgraf et al.
// 2020) as a metarl plugin: a continuous-action task.
//
// World: a point in the square arena [-2, 2]^2, starting at the origin every episode.
// Task: the goal g, drawn per task (param `goal_region`): `half_circle` (default), the
// upper half of the unit circle, g = (cos a, sin a) with a ~ U[0, pi); or `disc`, uniform
// over the unit disc (radius sqrt(u), angle ~ U[0, 2 pi)). task_bytes = 48.
// Actions (BOX (2) in [-1, 1]): a velocity in units of `max_step` (default 0.1). An
// action outside [-1, 1]^2 (or NaN) is refused with MRL_EINVAL, as the ABI requires; a
// valid one whose norm exceeds 1 is scaled to norm 1, so the point moves by
// max_step * v with |v| <= 1, then is clamped to the arena.
// Observation (BOX (2) in [-2, 2]): the position (x, y). The goal is never observed.
// Reward (param `reward`, SHAPE because it sets the declared reward bounds):
// `dense` (default) -|p - g| after the step, in [-4, 0]; `sparse` 1 when |p - g| <=
// `goal_radius` (default 0.2) + 1e-9 after the step, else 0 (the tolerance makes a
// path of exactly (|g| - radius) / max_step steps count despite rounding).
// End flags: by default the episode runs to the horizon (param `horizon`, default 100)
// and ends with truncated = 1 (success column 0; judge by return). With
// `terminate_at_goal: true` the first step that ends inside the goal radius ends the
// episode with MRL_TERM_SUCCESS.
// Oracle: the straight line to the goal — the action points at g with norm 1, or lands
// exactly on g when g is within one step. `steps` and `value` are not a formula but the
// result of simulating that policy to the horizon with the very code `step` runs, so
// following the oracle's actions earns exactly `value` (the float rewards summed in
// double) and first enters the goal radius after exactly `steps` steps (INFINITY if it
// cannot within this episode; 0 after the episode ended). The straight line is optimal
// for both reward modes: after k steps no policy can be closer than max(0, |p - g| - k
// max_step), which it attains.
// Render: text (a 41 x 21 character map of the arena: A agent, G goal, o goal radius,
// + origin) and RGB (128 x 128 top-down; both views draw the same picture).
//
// Build: part of the main build (plugins/point_nav/CMakeLists.txt), output
// <build>/plugins/point_nav.so. Test: ctest -R 'point_nav|conformance'.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <metarl/plugin.h>

#define ARENA 2.0 // the arena is [-ARENA, ARENA]^2
#define MAX_HORIZON 100000
#define RGB_PX 128
#define TEXT_COLS 41 // x from -2 to 2 in steps of 0.1
#define TEXT_ROWS 21 // y from 2 to -2 in steps of 0.2
#define PI 3.14159265358979323846
#define INSIDE_TOL 1e-9 // see inside()

enum { P_HORIZON, P_MAX_STEP, P_GOAL_REGION, P_GOAL_RADIUS, P_REWARD, P_TERMINATE, N_PARAMS };
enum { REGION_HALF_CIRCLE, REGION_DISC };
enum { REWARD_DENSE, REWARD_SPARSE };

static const char* const region_names[] = {"half_circle", "disc", NULL};
static const char* const reward_names[] = {"dense", "sparse", NULL};

static const MrlParamDef params_table[N_PARAMS] = {
    [P_HORIZON] = {"horizon", MRL_PARAM_INT, MRL_PARAM_SHAPE, 100, 1, MAX_HORIZON, NULL,
                   "steps per episode; the episode is truncated there"},
    [P_MAX_STEP] = {"max_step", MRL_PARAM_REAL, 0, 0.1, 0.001, 1.0, NULL,
                    "largest distance moved per step (an action of norm 1)"},
    [P_GOAL_REGION] = {"goal_region", MRL_PARAM_CHOICE, 0, REGION_HALF_CIRCLE, 0, 0, region_names,
                       "where goals are drawn: the upper unit half circle or "
                       "the unit disc"},
    [P_GOAL_RADIUS] = {"goal_radius", MRL_PARAM_REAL, 0, 0.2, 0.01, 1.0, NULL,
                       "distance to the goal that counts as reaching it (sparse reward, "
                       "termination, oracle steps)"},
    [P_REWARD] = {"reward", MRL_PARAM_CHOICE, MRL_PARAM_SHAPE, REWARD_DENSE, 0, 0, reward_names,
                  "dense: minus the distance to the goal; sparse: 1 inside the goal radius"},
    [P_TERMINATE] = {"terminate_at_goal", MRL_PARAM_BOOL, 0, 0, 0, 0, NULL,
                     "end the episode (success) on the first step inside the goal radius"},
};

// ---- task and state ----

// one task: plain bytes, no padding (4 doubles, 4 int32)
typedef struct NavTask {
    double goal_x, goal_y;
    double max_step;    // copied from the parameters (may be drawn per task)
    double goal_radius; // copied
    int32_t horizon;    // copied
    int32_t reward;     // REWARD_*
    int32_t terminate;  // 0 or 1
    int32_t region;     // REGION_* the goal was drawn from (render only)
} NavTask;

// one instance
typedef struct NavState {
    const NavTask* task; // borrowed from the host until the next reset; NULL before it
    double x, y;         // position
    int32_t t;           // steps taken in this episode
    int32_t done;        // 1 once the episode ended
    double ret;          // return so far (for the render)
} NavState;

// ---- dynamics (shared by step and the oracle's simulation) ----

// moves (x, y) by the valid action (a0, a1); returns the distance to the goal after it.
// noinline: step and the oracle must run the very same floating-point operations.
__attribute__((noinline)) static double advance(double* x, double* y, float a0, float a1,
                                                const NavTask* k) {
    double vx = a0, vy = a1;
    double n2 = vx * vx + vy * vy;
    if (n2 > 1.0) {
        double n = sqrt(n2);
        vx /= n;
        vy /= n;
    }
    double nx = *x + k->max_step * vx, ny = *y + k->max_step * vy;
    *x = nx < -ARENA ? -ARENA : nx > ARENA ? ARENA : nx;
    *y = ny < -ARENA ? -ARENA : ny > ARENA ? ARENA : ny;
    return hypot(*x - k->goal_x, *y - k->goal_y);
}

// within the goal radius; the tolerance absorbs rounding, so that a path of exactly
// (distance - radius) / max_step steps (1 - 0.2 = 8 x 0.1 with the defaults) counts
static int inside(double dist, const NavTask* k) {
    return dist <= k->goal_radius + INSIDE_TOL;
}

static float reward_of(double dist, const NavTask* k) {
    if (k->reward == REWARD_SPARSE) {
        return inside(dist, k) ? 1.0f : 0.0f;
    }
    return (float)-dist;
}

// the oracle's action at (x, y): straight at the goal, a full step, or exactly onto the
// goal when it is within one step. A full step is aimed with norm 1 + 1e-6, which `advance`
// scales back to norm 1: float rounding of the action then cannot shorten the step.
static void straight_action(float* a, double x, double y, const NavTask* k) {
    double dx = k->goal_x - x, dy = k->goal_y - y;
    double d = hypot(dx, dy);
    double scale = d <= k->max_step ? k->max_step : d / (1.0 + 1e-6);
    if (d == 0.0) {
        a[0] = a[1] = 0.0f;
        return;
    }
    for (int i = 0; i < 2; i++) {
        float v = (float)((i == 0 ? dx : dy) / scale);
        a[i] = v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v;
    }
}

// ---- static callbacks ----

static int32_t check_params(const double* p, char* err) {
    double h = p[P_HORIZON];
    if (!(h >= 1 && h <= MAX_HORIZON) || h != floor(h)) {
        snprintf(err, MRL_ERR_MAX, "horizon must be an integer in [1, %d], got %g", MAX_HORIZON, h);
        return MRL_EINVAL;
    }
    if (!(p[P_REWARD] == REWARD_DENSE || p[P_REWARD] == REWARD_SPARSE)) {
        snprintf(err, MRL_ERR_MAX, "reward must be 0 (dense) or 1 (sparse), got %g", p[P_REWARD]);
        return MRL_EINVAL;
    }
    return MRL_OK;
}

static int32_t pn_describe(MrlEnvInfo* info, const double* p, char* err) {
    int32_t rc = check_params(p, err);
    if (rc != MRL_OK) {
        return rc;
    }
    memset(info, 0, sizeof *info);
    info->obs.kind = MRL_SPACE_BOX;
    info->obs.n = 2;
    info->obs.ndim = 1;
    info->obs.shape[0] = 2;
    info->obs.low = (float)-ARENA;
    info->obs.high = (float)ARENA;
    info->action = info->obs;
    info->action.low = -1.0f;
    info->action.high = 1.0f;
    info->task_bytes = sizeof(NavTask);
    info->state_bytes = sizeof(NavState);
    info->max_episode_steps = (int64_t)p[P_HORIZON];
    // dense: the distance from the arena to a goal in the unit disc is < 2 sqrt(2) + 1 < 4
    info->reward_min = p[P_REWARD] == REWARD_SPARSE ? 0.0 : -4.0;
    info->reward_max = p[P_REWARD] == REWARD_SPARSE ? 1.0 : 0.0;
    return MRL_OK;
}

static int32_t pn_task_sample(void* task, const double* p, MrlRng* rng, char* err) {
    int32_t rc = check_params(p, err);
    if (rc != MRL_OK) {
        return rc;
    }
    NavTask* t = task;
    t->region = p[P_GOAL_REGION] == REGION_DISC ? REGION_DISC : REGION_HALF_CIRCLE;
    if (t->region == REGION_DISC) {
        double r = sqrt(mrl_rng_uniform(rng));
        double a = 2.0 * PI * mrl_rng_uniform(rng);
        t->goal_x = r * cos(a);
        t->goal_y = r * sin(a);
    } else {
        double a = PI * mrl_rng_uniform(rng);
        t->goal_x = cos(a);
        t->goal_y = sin(a);
    }
    t->max_step = p[P_MAX_STEP];
    t->goal_radius = p[P_GOAL_RADIUS];
    t->horizon = (int32_t)p[P_HORIZON];
    t->reward = (int32_t)p[P_REWARD];
    t->terminate = p[P_TERMINATE] != 0.0;
    return MRL_OK;
}

// ---- instance callbacks ----

static int32_t pn_init(void* state, const double* p, char* err) {
    (void)state;
    return check_params(p, err); // the zero-filled block is a valid "no task yet" state
}

static int32_t pn_reset(void* state, float* obs, const void* task, MrlRng* rng, char* err) {
    (void)rng;
    (void)err;
    NavState* s = state;
    s->task = task;
    s->x = 0.0;
    s->y = 0.0;
    s->t = 0;
    s->done = 0;
    s->ret = 0.0;
    obs[0] = 0.0f;
    obs[1] = 0.0f;
    return MRL_OK;
}

static int32_t pn_step(void* state, float* obs, float* reward, int32_t* terminated,
                       int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    (void)rng;
    NavState* s = state;
    if (!s->task || s->done) {
        snprintf(err, MRL_ERR_MAX, "step called before reset or after the episode ended");
        return MRL_ESTATE;
    }
    for (int i = 0; i < 2; i++) {
        if (!(action[i] >= -1.0f && action[i] <= 1.0f)) {
            snprintf(err, MRL_ERR_MAX,
                     "action[%d] = %g is outside [-1, 1] (a velocity in units of max_step)", i,
                     (double)action[i]);
            return MRL_EINVAL;
        }
    }
    const NavTask* k = s->task;
    double dist = advance(&s->x, &s->y, action[0], action[1], k);
    s->t++;
    *reward = reward_of(dist, k);
    *terminated = k->terminate && inside(dist, k) ? MRL_TERM_SUCCESS : MRL_TERM_NONE;
    *truncated = *terminated == MRL_TERM_NONE && s->t >= k->horizon;
    s->done = *terminated != MRL_TERM_NONE || *truncated;
    s->ret += *reward;
    obs[0] = (float)s->x;
    obs[1] = (float)s->y;
    return MRL_OK;
}

// ---- optional capabilities ----

static int32_t pn_render_text(const void* state, char* buf, uint64_t buf_size, char* err) {
    const NavState* s = state;
    if (buf_size == 0) {
        snprintf(err, MRL_ERR_MAX, "empty render buffer");
        return MRL_EINVAL;
    }
    buf[0] = '\0';
    if (!s->task) {
        snprintf(buf, (size_t)buf_size, "point_nav: no task yet\n");
        return MRL_OK;
    }
    const NavTask* k = s->task;
    double dist = hypot(s->x - k->goal_x, s->y - k->goal_y);
    int w = snprintf(buf, (size_t)buf_size,
                     "point_nav t=%d/%d pos=(%.3f, %.3f) goal=(%.3f, %.3f) dist=%.3f "
                     "return=%.3f%s\n",
                     (int)s->t, (int)k->horizon, s->x, s->y, k->goal_x, k->goal_y, dist, s->ret,
                     s->done ? " (ended)" : "");
    uint64_t used = w < 0 ? buf_size : (uint64_t)w;
    // the nearest character cell of a point
    int ac = (int)lround((s->x + ARENA) * 10.0), ar = (int)lround((ARENA - s->y) * 5.0);
    int gc = (int)lround((k->goal_x + ARENA) * 10.0), gr = (int)lround((ARENA - k->goal_y) * 5.0);
    for (int r = 0; r < TEXT_ROWS && used + 1 < buf_size; r++) {
        for (int c = 0; c <= TEXT_COLS && used + 1 < buf_size; c++) {
            char ch;
            double x = -ARENA + 0.1 * c, y = ARENA - 0.2 * r;
            if (c == TEXT_COLS) {
                ch = '\n';
            } else if (r == ar && c == ac) {
                ch = 'A';
            } else if (r == gr && c == gc) {
                ch = 'G';
            } else if (hypot(x - k->goal_x, y - k->goal_y) <= k->goal_radius) {
                ch = 'o';
            } else if (r == TEXT_ROWS / 2 && c == TEXT_COLS / 2) {
                ch = '+';
            } else {
                ch = '.';
            }
            buf[used++] = ch;
        }
        buf[used] = '\0';
    }
    return MRL_OK;
}

static int32_t pn_render_size(int32_t* width, int32_t* height, const double* p, int32_t view,
                              char* err) {
    (void)p;
    if (view != MRL_VIEW_FIRST_PERSON && view != MRL_VIEW_TOP_DOWN) {
        snprintf(err, MRL_ERR_MAX, "unknown view %d", (int)view);
        return MRL_EINVAL;
    }
    *width = RGB_PX;
    *height = RGB_PX;
    return MRL_OK;
}

static int32_t pn_render_rgb(const void* state, uint8_t* rgb, int32_t view, char* err) {
    const NavState* s = state;
    if (view != MRL_VIEW_FIRST_PERSON && view != MRL_VIEW_TOP_DOWN) {
        snprintf(err, MRL_ERR_MAX, "unknown view %d", (int)view);
        return MRL_EINVAL;
    }
    if (!s->task) {
        snprintf(err, MRL_ERR_MAX, "render_rgb called before reset");
        return MRL_ESTATE;
    }
    const NavTask* k = s->task;
    const double px_size = 2.0 * ARENA / RGB_PX;
    for (int py = 0; py < RGB_PX; py++) {
        for (int px = 0; px < RGB_PX; px++) {
            double x = -ARENA + (px + 0.5) * px_size, y = ARENA - (py + 0.5) * px_size;
            double r_origin = hypot(x, y);
            uint8_t c[3] = {20, 20, 24}; // the floor
            int on_region =
                fabs(r_origin - 1.0) < px_size && (k->region == REGION_DISC || y >= -px_size);
            if (on_region) {
                memcpy(c, (uint8_t[3]){70, 70, 90}, 3); // where goals are drawn
            }
            if ((fabs(x) < px_size || fabs(y) < px_size) && r_origin < 0.1) {
                memcpy(c, (uint8_t[3]){120, 120, 120}, 3); // the origin (start)
            }
            if (hypot(x - k->goal_x, y - k->goal_y) <= k->goal_radius) {
                memcpy(c, (uint8_t[3]){40, 170, 70}, 3); // the goal radius
            }
            if (hypot(x - s->x, y - s->y) <= 0.06) {
                memcpy(c, (uint8_t[3]){230, 60, 50}, 3); // the agent
            }
            memcpy(rgb + ((size_t)py * RGB_PX + (size_t)px) * 3, c, 3);
        }
    }
    return MRL_OK;
}

static int32_t pn_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    const NavState* s = state;
    if (!s->task) {
        snprintf(err, MRL_ERR_MAX, "oracle called before reset");
        return MRL_ESTATE;
    }
    const NavTask* k = s->task;
    if (s->done) {
        info->valid = MRL_ORACLE_VALUE | MRL_ORACLE_STEPS; // nothing left to earn
        info->value = 0.0;
        info->steps = 0.0;
        return MRL_OK;
    }
    // follow the straight line to the horizon with step's own arithmetic
    double x = s->x, y = s->y, value = 0.0, first = INFINITY;
    for (int32_t i = 1; i <= k->horizon - s->t; i++) {
        float a[2];
        straight_action(a, x, y, k);
        double dist = advance(&x, &y, a[0], a[1], k);
        value += (double)reward_of(dist, k);
        if (inside(dist, k) && isinf(first)) {
            first = (double)i;
            if (k->terminate) {
                break;
            }
        }
    }
    info->valid = MRL_ORACLE_VALUE | MRL_ORACLE_STEPS | MRL_ORACLE_ACTION;
    info->value = value;
    info->steps = first;
    straight_action(action, s->x, s->y, k);
    return MRL_OK;
}

// ---- the table ----

static const MrlEnvApi point_nav_api = {
    .abi_major = MRL_ABI_MAJOR,
    .abi_minor = MRL_ABI_MINOR,
    .struct_size = sizeof(MrlEnvApi),
    .name = "point_nav",
    .version = "1.0.0",
    .summary = "2-D point navigation to a hidden goal; continuous velocity actions",
    .n_params = N_PARAMS,
    .params = params_table,
    .describe = pn_describe,
    .task_sample = pn_task_sample,
    .init = pn_init,
    .reset = pn_reset,
    .step = pn_step,
    .render_text = pn_render_text,
    .render_size = pn_render_size,
    .render_rgb = pn_render_rgb,
    .oracle = pn_oracle,
};

MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void) {
    return &point_nav_api;
}
