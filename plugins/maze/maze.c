// maze.c — the `maze` plugin: the RL²/SNAIL random-maze navigation task
// (docs/maze.md). Prim's-algorithm mazes of R×R rooms drawn as a
// (2R+1)×(2R+1) wall/free grid; start and goal are distinct rooms; the agent
// turns left, turns right or moves forward; touching the goal block gives
// `goal_reward` and ends the episode; `horizon` steps truncate it.
//
// Parameters (env.params; SHAPE ones must be constant within a task set):
//   rooms        INT 2..15 (3)        rooms per side R (<= max_rooms); varies per task
//   max_rooms    INT 2..15 (5)  SHAPE largest R the task/state blocks are sized for
//   horizon      INT (250)            steps before truncation (1000 for R=5 in the papers)
//   mode         continuous|grid SHAPE continuous pose, or one cell / 90 degrees per action
//   step         REAL cells (1/3) SHAPE forward move per action (continuous)
//   turn         REAL degrees (30) SHAPE turn per action; 90/turn must be an integer
//   radius       REAL cells (1/6) SHAPE half-width of the square body (Doom: 16/96)
//   lattice      INT (24)       SHAPE positions are multiples of 1/lattice cell (even)
//   goal_reward  REAL (1)             reward for touching the goal
//   wall_penalty REAL (-0.001)        reward added by a blocked forward move (a bump)
//   step_penalty REAL (-0.04)         reward of every step
//   obs          strip|pixels|local SHAPE observation (see below)
//   width        INT (40)       SHAPE pixels: image width (also the first-person render)
//   height       INT (30)       SHAPE pixels: image height
//   strip_width  INT (32)       SHAPE strip: columns
//   fov          REAL degrees (90) SHAPE horizontal field of view (Doom's is 90)
//   local_size   INT odd (5)    SHAPE local: patch side L
//   oracle       BOOL (false)   SHAPE keep the oracle's distance tables (memory, reset time)
//   renderer     fast|reference SHAPE reference = brute-force raycaster (tests)
//
// Observations:
//   strip  (strip_width, 3) in [0, 1]: per column (goal hit 0/1, face side 0/1,
//          1 / (1 + perpendicular distance in cells))
//   pixels (height, width, 3) RGB in [-1, 1]: ceiling, floor, walls shaded by
//          face side, the goal block red
//   local  (L*L*2 + 4) in [-1, 1]: an L×L patch of cells around the agent,
//          rotated so the nearest axis heading points up (row 0 ahead), two
//          channels (wall, goal), then cos/sin of the heading left over after
//          that rotation and the position in the cell (ahead, right), in
//          [-0.5, 0.5)
//
// Test: tests/test_maze.c (ctest -R test_maze). Benchmark: metarl bench env maze.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "maze_internal.h"
#include "metarl/plugin.h"

static const double PI = 3.14159265358979323846;

// ---- parameter table ----

static const char* const mode_choices[] = {"continuous", "grid", NULL};
static const char* const obs_choices[] = {"strip", "pixels", "local", NULL};
static const char* const renderer_choices[] = {"fast", "reference", NULL};

#define SHAPE MRL_PARAM_SHAPE
static const MrlParamDef params_table[MAZE_N_PARAMS] = {
    [MAZE_P_ROOMS] = {"rooms", MRL_PARAM_INT, 0, 3, 2, MAZE_MAX_ROOMS, NULL,
                      "rooms per side R (grid 2R+1); small 3, large 5; at most max_rooms"},
    [MAZE_P_MAX_ROOMS] = {"max_rooms", MRL_PARAM_INT, SHAPE, 5, 2, MAZE_MAX_ROOMS, NULL,
                          "largest rooms value the task and oracle tables are sized for"},
    [MAZE_P_HORIZON] = {"horizon", MRL_PARAM_INT, SHAPE, 250, 1, 1000000, NULL,
                        "steps per episode before truncation"},
    [MAZE_P_MODE] = {"mode", MRL_PARAM_CHOICE, SHAPE, 0, 0, 0, mode_choices,
                     "continuous pose, or grid: one cell forward and 90-degree turns"},
    [MAZE_P_STEP] = {"step", MRL_PARAM_REAL, SHAPE, 1.0 / 3.0, 0.05, 1.0, NULL,
                     "forward move per action in cells (continuous mode)"},
    [MAZE_P_TURN] = {"turn", MRL_PARAM_REAL, SHAPE, 30.0, 5.0, 90.0, NULL,
                     "turn per action in degrees; 90/turn must be an integer"},
    [MAZE_P_RADIUS] = {"radius", MRL_PARAM_REAL, SHAPE, 1.0 / 6.0, 0.0, 0.45, NULL,
                       "half-width of the agent's square body in cells (continuous mode)"},
    [MAZE_P_LATTICE] = {"lattice", MRL_PARAM_INT, SHAPE, 24, 2, 64, NULL,
                        "positions are multiples of 1/lattice cell; even"},
    [MAZE_P_GOAL_REWARD] = {"goal_reward", MRL_PARAM_REAL, SHAPE, 1.0, -1000.0, 1000.0, NULL,
                            "reward for touching the goal (the step penalty is added)"},
    [MAZE_P_WALL_PENALTY] = {"wall_penalty", MRL_PARAM_REAL, SHAPE, -0.001, -1000.0, 1000.0, NULL,
                             "reward added when a forward move is blocked by a wall"},
    [MAZE_P_STEP_PENALTY] = {"step_penalty", MRL_PARAM_REAL, SHAPE, -0.04, -1000.0, 1000.0, NULL,
                             "reward of every step"},
    [MAZE_P_OBS] = {"obs", MRL_PARAM_CHOICE, SHAPE, 0, 0, 0, obs_choices,
                    "observation: strip (1-row view), pixels (RGB image), local (grid patch)"},
    [MAZE_P_WIDTH] = {"width", MRL_PARAM_INT, SHAPE, 40, 4, 512, NULL,
                      "pixels: image width (also the first-person render)"},
    [MAZE_P_HEIGHT] = {"height", MRL_PARAM_INT, SHAPE, 30, 4, 512, NULL,
                       "pixels: image height (also the first-person render)"},
    [MAZE_P_STRIP_WIDTH] = {"strip_width", MRL_PARAM_INT, SHAPE, 32, 1, 512, NULL,
                            "strip: number of columns"},
    [MAZE_P_FOV] = {"fov", MRL_PARAM_REAL, SHAPE, 90.0, 10.0, 170.0, NULL,
                    "horizontal field of view in degrees"},
    [MAZE_P_LOCAL_SIZE] = {"local_size", MRL_PARAM_INT, SHAPE, 5, 3, 31, NULL,
                           "local: side of the egocentric patch in cells; odd"},
    [MAZE_P_ORACLE] = {"oracle", MRL_PARAM_BOOL, SHAPE, 0, 0, 0, NULL,
                       "keep shortest-path tables for the oracle (memory and reset time)"},
    [MAZE_P_RENDERER] = {"renderer", MRL_PARAM_CHOICE, SHAPE, 0, 0, 0, renderer_choices,
                         "fast, or reference (brute-force raycaster, for tests)"},
};
#undef SHAPE

// ---- configuration from parameters ----

static uint64_t align64(uint64_t x) {
    return (x + 63u) & ~(uint64_t)63u;
}

static int param_err(char* err, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

static int param_err(char* err, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, MRL_ERR_MAX, fmt, ap);
    va_end(ap);
    return MRL_EINVAL;
}

// Number of headings for `params`, or 0 if the turn angle is invalid.
static int32_t n_headings(const double* params) {
    if ((int)params[MAZE_P_MODE] == MAZE_MODE_GRID) {
        return 4;
    }
    double k = 90.0 / params[MAZE_P_TURN];
    double kr = floor(k + 0.5);
    if (fabs(k - kr) > 1e-9 || kr < 1 || 4 * kr > MAZE_MAX_HEADINGS) {
        return 0;
    }
    return (int32_t)(4 * kr);
}

// Fills the configuration part of a state (kinematics, observation settings,
// array offsets, total size) from `params`. Pure function of the SHAPE
// parameters. Returns MRL_OK or MRL_EINVAL with text.
static int config_from_params(MazeState* st, const double* params, char* err) {
    memset(st, 0, sizeof *st);
    st->magic = MAZE_MAGIC;
    st->version = MAZE_LAYOUT_VERSION;
    MazeKin* kin = &st->kin;
    kin->mode = (int32_t)params[MAZE_P_MODE];
    kin->n_head = n_headings(params);
    if (kin->n_head == 0) {
        return param_err(err, "maze: turn %g must divide 90 degrees (at least %g)",
                         params[MAZE_P_TURN], 360.0 / MAZE_MAX_HEADINGS);
    }
    if (kin->mode == MAZE_MODE_GRID) {
        maze_kin_set_q(kin, 2);
        kin->rr = 0;
        static const int32_t d4[4][2] = {{2, 0}, {0, 2}, {-2, 0}, {0, -2}};
        memcpy(kin->d, d4, sizeof d4);
    } else {
        maze_kin_set_q(kin, (int32_t)params[MAZE_P_LATTICE]);
        if (kin->q % 2 != 0) {
            return param_err(err, "maze: lattice %g must be even", params[MAZE_P_LATTICE]);
        }
        kin->rr = (int32_t)lround(params[MAZE_P_RADIUS] * kin->q);
        if (kin->rr < 1 || 2 * kin->rr >= kin->q) {
            return param_err(err,
                             "maze: radius %g is below one lattice unit or too wide for a "
                             "corridor at lattice %g",
                             params[MAZE_P_RADIUS], params[MAZE_P_LATTICE]);
        }
        double len = params[MAZE_P_STEP] * kin->q;
        for (int32_t h = 0; h < kin->n_head; h++) {
            double th = 2.0 * PI * h / kin->n_head;
            kin->d[h][0] = (int32_t)lround(len * cos(th));
            kin->d[h][1] = (int32_t)lround(len * sin(th));
        }
        if (kin->d[0][0] < 1) {
            return param_err(err, "maze: step %g is shorter than one lattice unit (lattice %g)",
                             params[MAZE_P_STEP], params[MAZE_P_LATTICE]);
        }
    }

    st->obs_mode = (int32_t)params[MAZE_P_OBS];
    st->renderer = (int32_t)params[MAZE_P_RENDERER];
    st->width = (int32_t)params[MAZE_P_WIDTH];
    st->height = (int32_t)params[MAZE_P_HEIGHT];
    st->strip_width = (int32_t)params[MAZE_P_STRIP_WIDTH];
    st->local_size = (int32_t)params[MAZE_P_LOCAL_SIZE];
    st->oracle = params[MAZE_P_ORACLE] != 0.0;
    st->max_rooms = (int32_t)params[MAZE_P_MAX_ROOMS];
    st->fov = params[MAZE_P_FOV] * PI / 180.0;
    if (st->local_size % 2 == 0) {
        return param_err(err, "maze: local_size %d must be odd", st->local_size);
    }
    switch (st->obs_mode) {
    case MAZE_OBS_STRIP:
        st->n_cols = st->strip_width;
        st->obs_floats = st->strip_width * 3;
        break;
    case MAZE_OBS_PIXELS:
        st->n_cols = st->width;
        st->obs_floats = st->width * st->height * 3;
        break;
    default:
        st->n_cols = 0;
        st->obs_floats = st->local_size * st->local_size * 2 + MAZE_LOCAL_TAIL;
        break;
    }

    // private arrays after the struct
    uint64_t off = align64(sizeof(MazeState));
    st->off_rays = off;
    off = align64(off + (uint64_t)kin->n_head * (uint64_t)st->n_cols * sizeof(MazeRay));
    st->off_hits = off;
    off = align64(off + (uint64_t)st->n_cols * sizeof(MazeHit));
    st->off_bg = off;
    if (st->obs_mode == MAZE_OBS_PIXELS) {
        off = align64(off + (uint64_t)st->width * (uint64_t)st->height * 3 * sizeof(float));
    }
    st->off_cache = off;
    if (st->obs_mode == MAZE_OBS_STRIP) {
        off = align64(off + (uint64_t)kin->n_head * (uint64_t)st->obs_floats * sizeof(float));
    }
    if (st->oracle) {
        uint64_t side = 2 * (uint64_t)st->max_rooms + 1;
        uint64_t free_cells = 2 * (uint64_t)st->max_rooms * (uint64_t)st->max_rooms - 1;
        st->n_pose_max = free_cells * (uint64_t)kin->q * (uint64_t)kin->q * (uint64_t)kin->n_head;
        st->off_cellidx = off;
        off = align64(off + side * side * 3 * sizeof(int32_t));
        st->off_dist = off;
        off = align64(off + st->n_pose_max * sizeof(uint16_t));
        st->off_queue = off;
        off = align64(off + st->n_pose_max * sizeof(uint32_t));
        if (off > ((uint64_t)1 << 30)) {
            return param_err(err,
                             "maze: the oracle tables would need %.0f MB; lower max_rooms or "
                             "lattice",
                             (double)off / 1048576.0);
        }
    }
    st->state_bytes = off;
    return MRL_OK;
}

// Rounded up to a multiple of 8: hosts store tasks back to back, and a
// MazeTask holds doubles.
static uint64_t task_bytes_for(int32_t max_rooms) {
    uint64_t side = 2 * (uint64_t)max_rooms + 1;
    return (sizeof(MazeTask) + side * side + 7u) & ~(uint64_t)7u;
}

// ---- describe ----

static int32_t maze_describe(MrlEnvInfo* info, const double* params, char* err) {
    MazeState st;
    int rc = config_from_params(&st, params, err);
    if (rc != MRL_OK) {
        return rc;
    }
    memset(info, 0, sizeof *info);
    MrlSpace* o = &info->obs;
    o->kind = MRL_SPACE_BOX;
    o->n = st.obs_floats;
    switch (st.obs_mode) {
    case MAZE_OBS_STRIP:
        o->ndim = 2;
        o->shape[0] = st.strip_width;
        o->shape[1] = 3;
        o->low = 0.0f;
        o->high = 1.0f;
        break;
    case MAZE_OBS_PIXELS:
        o->ndim = 3;
        o->shape[0] = st.height;
        o->shape[1] = st.width;
        o->shape[2] = 3;
        o->low = -1.0f;
        o->high = 1.0f;
        break;
    default:
        o->ndim = 1;
        o->shape[0] = st.obs_floats;
        o->low = -1.0f;
        o->high = 1.0f;
        break;
    }
    info->action.kind = MRL_SPACE_DISCRETE;
    info->action.n = MAZE_N_ACTIONS;
    info->task_bytes = task_bytes_for(st.max_rooms);
    info->state_bytes = st.state_bytes;
    info->max_episode_steps = (int64_t)params[MAZE_P_HORIZON];
    // rewards exactly as step computes them: the sum in double, then float
    double sp = params[MAZE_P_STEP_PENALTY];
    double cands[3] = {(double)(float)sp, (double)(float)(sp + params[MAZE_P_WALL_PENALTY]),
                       (double)(float)(sp + params[MAZE_P_GOAL_REWARD])};
    info->reward_min = fmin(cands[0], fmin(cands[1], cands[2]));
    info->reward_max = fmax(cands[0], fmax(cands[1], cands[2]));
    return MRL_OK;
}

// ---- tasks ----

static int32_t maze_task_sample(void* task_out, const double* params, MrlRng* rng, char* err) {
    int32_t rooms = (int32_t)params[MAZE_P_ROOMS];
    int32_t max_rooms = (int32_t)params[MAZE_P_MAX_ROOMS];
    if (rooms > max_rooms) {
        snprintf(err, MRL_ERR_MAX, "maze: rooms %d exceeds max_rooms %d (raise max_rooms)", rooms,
                 max_rooms);
        return MRL_EINVAL;
    }
    int32_t nh = n_headings(params);
    if (nh == 0) {
        snprintf(err, MRL_ERR_MAX, "maze: turn %g must divide 90 degrees", params[MAZE_P_TURN]);
        return MRL_EINVAL;
    }
    MazeTask* task = (MazeTask*)task_out;
    int32_t size = 2 * rooms + 1;
    task->rooms = rooms;
    task->size = size;
    task->horizon = (int32_t)params[MAZE_P_HORIZON];
    task->goal_reward = params[MAZE_P_GOAL_REWARD];
    task->wall_penalty = params[MAZE_P_WALL_PENALTY];
    task->step_penalty = params[MAZE_P_STEP_PENALTY];
    uint8_t* grid = task->grid;
    for (int32_t y = 0; y < size; y++) {
        for (int32_t x = 0; x < size; x++) {
            grid[y * size + x] = (x % 2 == 1 && y % 2 == 1) ? MAZE_FREE : MAZE_WALL;
        }
    }

    // randomized Prim: grow a tree of rooms from a random room, each time
    // carving a uniformly chosen frontier edge that leads to a new room
    enum { N = MAZE_MAX_ROOMS * MAZE_MAX_ROOMS };
    uint8_t in_maze[N] = {0};
    int32_t edge_from[4 * N], edge_to[4 * N];
    int32_t n_edges = 0;
    int32_t n_rooms = rooms * rooms;
    static const int32_t nb[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    int32_t r0 = (int32_t)mrl_rng_below(rng, (uint32_t)n_rooms);
    in_maze[r0] = 1;
    int32_t added = r0;
    for (;;) {
        int32_t ax = added % rooms, ay = added / rooms;
        for (int n = 0; n < 4; n++) {
            int32_t bx = ax + nb[n][0], by = ay + nb[n][1];
            if (bx >= 0 && by >= 0 && bx < rooms && by < rooms && !in_maze[by * rooms + bx]) {
                edge_from[n_edges] = added;
                edge_to[n_edges] = by * rooms + bx;
                n_edges++;
            }
        }
        added = -1;
        while (n_edges > 0 && added < 0) {
            int32_t k = (int32_t)mrl_rng_below(rng, (uint32_t)n_edges);
            int32_t a = edge_from[k], b = edge_to[k];
            n_edges--;
            edge_from[k] = edge_from[n_edges];
            edge_to[k] = edge_to[n_edges];
            if (!in_maze[b]) {
                in_maze[b] = 1;
                int32_t px = (a % rooms) + (b % rooms) + 1; // 2*ax+1 and 2*bx+1 averaged
                int32_t py = (a / rooms) + (b / rooms) + 1;
                grid[py * size + px] = MAZE_FREE;
                added = b;
            }
        }
        if (added < 0) {
            break;
        }
    }

    // start and goal: two distinct rooms, uniformly; then the start heading
    int32_t s = (int32_t)mrl_rng_below(rng, (uint32_t)n_rooms);
    int32_t g = (int32_t)mrl_rng_below(rng, (uint32_t)(n_rooms - 1));
    if (g >= s) {
        g++;
    }
    task->start_x = 2 * (s % rooms) + 1;
    task->start_y = 2 * (s / rooms) + 1;
    task->goal_x = 2 * (g % rooms) + 1;
    task->goal_y = 2 * (g / rooms) + 1;
    grid[task->goal_y * size + task->goal_x] = MAZE_GOAL;
    task->heading = (int32_t)mrl_rng_below(rng, (uint32_t)nh);
    return MRL_OK;
}

static uint64_t maze_task_fingerprint(const void* task, const double* params) {
    return maze_task_hash((const MazeTask*)task, n_headings(params));
}

// ---- instance ----

static MazeRay* rays_of(MazeState* st) {
    return (MazeRay*)((uint8_t*)st + st->off_rays);
}

static MazeHit* hits_of(MazeState* st) {
    return (MazeHit*)((uint8_t*)st + st->off_hits);
}

static int32_t maze_init(void* state, const double* params, char* err) {
    MazeState* st = (MazeState*)state;
    int rc = config_from_params(st, params, err);
    if (rc != MRL_OK) {
        return rc;
    }
    if (st->n_cols > 0) {
        maze_rays_init(rays_of(st), st->kin.n_head, st->n_cols, st->fov);
    }
    if (st->obs_mode == MAZE_OBS_PIXELS) {
        maze_background((float*)((uint8_t*)st + st->off_bg), st->width, st->height);
    }
    st->focal = (float)maze_focal(st->width, st->fov);
    for (int32_t h = 0; h < st->kin.n_head; h++) {
        int32_t quad = ((h * 4 + st->kin.n_head / 2) / st->kin.n_head) % 4;
        double rest = 2.0 * PI * (double)h / st->kin.n_head - 0.5 * PI * quad;
        st->local_rot[h][0] = (float)cos(rest);
        st->local_rot[h][1] = (float)sin(rest);
    }
    return MRL_OK;
}

// writes the `local` observation
static void local_write(float* obs, const MazeState* st) {
    const MazeTask* task = st->task;
    const MazeKin* kin = &st->kin;
    int32_t q = kin->q, L = st->local_size, c = L / 2;
    int32_t cx = maze_div_q(kin, st->px), cy = maze_div_q(kin, st->py);
    // nearest axis direction: 0 east, 1 south, 2 west, 3 north
    int32_t quad = ((st->h * 4 + kin->n_head / 2) / kin->n_head) % 4;
    static const int32_t dirs[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    int32_t fx = dirs[quad][0], fy = dirs[quad][1];
    int32_t rx = -fy, ry = fx; // right of forward (y points down)
    for (int32_t i = 0; i < L; i++) {
        for (int32_t j = 0; j < L; j++) {
            int32_t ahead = c - i, right = j - c;
            int32_t x = cx + ahead * fx + right * rx, y = cy + ahead * fy + right * ry;
            int t = maze_cell(task, x, y);
            float* o = obs + ((size_t)i * (size_t)L + (size_t)j) * 2;
            o[0] = t == MAZE_WALL ? 1.0f : 0.0f;
            o[1] = t == MAZE_GOAL ? 1.0f : 0.0f;
        }
    }
    float* tail = obs + (size_t)L * (size_t)L * 2;
    tail[0] = st->local_rot[st->h][0];
    tail[1] = st->local_rot[st->h][1];
    // offset from the cell centre in the rotated frame, in cells
    float inv_q = 1.0f / (float)q;
    float ox = ((float)(st->px - cx * q) - 0.5f * (float)q) * inv_q;
    float oy = ((float)(st->py - cy * q) - 0.5f * (float)q) * inv_q;
    tail[2] = ox * (float)fx + oy * (float)fy;
    tail[3] = ox * (float)rx + oy * (float)ry;
}

static void obs_write(float* obs, MazeState* st) {
    if (st->obs_mode == MAZE_OBS_LOCAL) {
        local_write(obs, st);
        return;
    }
    MazeHit* hits = hits_of(st);
    int32_t q = st->kin.q;
    if (st->obs_mode == MAZE_OBS_STRIP && st->renderer == MAZE_RENDER_FAST) {
        size_t n = (size_t)st->obs_floats;
        float* row = (float*)((uint8_t*)st + st->off_cache) + (size_t)st->h * n;
        if (st->cache_gen[st->h] != st->pose_gen) {
            const MazeRay* rays = rays_of(st) + (size_t)st->h * (size_t)st->n_cols;
            maze_strip_fast(row, st->task, rays, st->n_cols, &st->kin, st->px, st->py);
            st->cache_gen[st->h] = st->pose_gen;
        }
        memcpy(obs, row, n * sizeof(float));
        return;
    }
    if (st->renderer == MAZE_RENDER_REFERENCE) {
        double th = 2.0 * PI * st->h / st->kin.n_head;
        maze_cast_reference(hits, st->task, (double)st->px / q, (double)st->py / q, th, st->fov,
                            st->n_cols);
    } else {
        const MazeRay* rays = rays_of(st) + (size_t)st->h * (size_t)st->n_cols;
        maze_cast_fast(hits, st->task, rays, st->n_cols, &st->kin, st->px, st->py);
    }
    if (st->obs_mode == MAZE_OBS_STRIP) {
        maze_strip_write(obs, hits, st->n_cols);
    } else if (st->renderer == MAZE_RENDER_REFERENCE) {
        maze_pixels_reference(obs, hits, st->width, st->height, st->fov);
    } else {
        const float* bg = (const float*)((const uint8_t*)st + st->off_bg);
        maze_pixels_fast(obs, hits, bg, st->width, st->height, st->focal);
    }
}

// invalidates the strip cache (a new task or a new position)
static void new_pose(MazeState* st) {
    if (++st->pose_gen == 0) {
        memset(st->cache_gen, 0, sizeof st->cache_gen);
        st->pose_gen = 1;
    }
}

// checks a task value before an episode uses it
static int task_check(const MazeState* st, const MazeTask* t, char* err) {
    if (t->rooms < 2 || t->rooms > st->max_rooms || t->size != 2 * t->rooms + 1 || t->heading < 0 ||
        t->heading >= st->kin.n_head || t->horizon < 1) {
        snprintf(err, MRL_ERR_MAX,
                 "maze: malformed task (rooms %d, size %d, heading %d, horizon %d; max_rooms %d)",
                 t->rooms, t->size, t->heading, t->horizon, st->max_rooms);
        return MRL_EINVAL;
    }
    if (maze_cell(t, t->start_x, t->start_y) != MAZE_FREE ||
        maze_cell(t, t->goal_x, t->goal_y) != MAZE_GOAL) {
        snprintf(err, MRL_ERR_MAX, "maze: malformed task (start or goal cell has the wrong type)");
        return MRL_EINVAL;
    }
    return MRL_OK;
}

static int32_t maze_reset(void* state, float* obs, const void* task_in, MrlRng* rng, char* err) {
    (void)rng; // the start pose belongs to the task
    MazeState* st = (MazeState*)state;
    const MazeTask* task = (const MazeTask*)task_in;
    if (!maze_state_check(st)) {
        snprintf(err, MRL_ERR_MAX, "maze: reset on a state that init did not prepare");
        return MRL_ESTATE;
    }
    int rc = task_check(st, task, err);
    if (rc != MRL_OK) {
        return rc;
    }
    st->task = task;
    int32_t q = st->kin.q;
    st->px = task->start_x * q + q / 2;
    st->py = task->start_y * q + q / 2;
    st->h = task->heading;
    st->t = 0;
    st->ended = 0;
    st->success = 0;
    st->last_outcome = -1;
    st->reset_done = 1;
    new_pose(st);
    if (st->oracle) {
        uint64_t fp = maze_task_hash(task, st->kin.n_head);
        if (!st->oracle_ready || st->oracle_fp != fp) {
            st->oracle_ready = 0;
            if (maze_oracle_build(st) != MRL_OK) {
                snprintf(err, MRL_ERR_MAX, "maze: oracle tables too small for this task");
                return MRL_EPLUGIN;
            }
            st->oracle_fp = fp;
            st->oracle_ready = 1;
        }
    }
    obs_write(obs, st);
    return MRL_OK;
}

static int32_t maze_step(void* state, float* obs, float* reward, int32_t* terminated,
                         int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    (void)rng; // deterministic dynamics
    MazeState* st = (MazeState*)state;
    if (!st->reset_done || st->ended) {
        snprintf(err, MRL_ERR_MAX, "maze: step %s",
                 st->reset_done ? "after the episode ended" : "before reset");
        return MRL_ESTATE;
    }
    float a = action[0];
    if (!(a == 0.0f || a == 1.0f || a == 2.0f)) {
        snprintf(err, MRL_ERR_MAX, "maze: action %g is not one of 0 (left), 1 (right), 2 (forward)",
                 (double)a);
        return MRL_EINVAL;
    }
    const MazeTask* task = st->task;
    double r = task->step_penalty;
    int32_t term = MRL_TERM_NONE;
    st->t++;
    if (a == (float)MAZE_FORWARD) {
        int32_t nx, ny;
        int out = maze_forward(task->grid, task->size, &st->kin, st->px, st->py, st->h, &nx, &ny);
        st->last_outcome = out;
        if (out == MAZE_REACHED) {
            r += task->goal_reward;
            term = MRL_TERM_SUCCESS;
            st->success = 1;
        } else {
            if (out != MAZE_MOVED) {
                r += task->wall_penalty;
            }
            if (out != MAZE_BLOCKED) {
                st->px = nx;
                st->py = ny;
                new_pose(st);
            }
        }
    } else {
        st->h = maze_turn(&st->kin, st->h, (int)a);
        st->last_outcome = -1;
    }
    *reward = (float)r;
    *terminated = term;
    *truncated = (term == MRL_TERM_NONE && st->t >= task->horizon) ? 1 : 0;
    st->ended = term != MRL_TERM_NONE || *truncated;
    obs_write(obs, st);
    return MRL_OK;
}

// ---- render ----

static char heading_char(const MazeState* st) {
    // nearest of 8 directions, clockwise from east (y down)
    static const char arrows[8] = {'>', '\\', 'v', '/', '<', '\\', '^', '/'};
    int32_t n = st->kin.n_head;
    int32_t k = ((st->h * 8 + n / 2) / n) % 8;
    return arrows[k];
}

static int32_t maze_render_text(const void* state, char* buf, uint64_t buf_size, char* err) {
    const MazeState* st = (const MazeState*)state;
    if (!st->reset_done) {
        snprintf(err, MRL_ERR_MAX, "maze: render before reset");
        return MRL_ESTATE;
    }
    const MazeTask* task = st->task;
    int32_t size = task->size, q = st->kin.q;
    int32_t ax = st->px / q, ay = st->py / q;
    if (buf_size == 0) {
        return MRL_OK;
    }
    // the picture goes through a local buffer, then as much as fits into buf
    char pic[MAZE_MAX_SIZE * (MAZE_MAX_SIZE + 1) + 128];
    char* const out = buf;
    const uint64_t out_size = buf_size;
    buf = pic;
    buf_size = sizeof pic;
    char* p = buf;
    for (int32_t y = 0; y < size; y++) {
        for (int32_t x = 0; x < size; x++) {
            char c = ' ';
            int t = task->grid[y * size + x];
            if (x == ax && y == ay) {
                c = heading_char(st);
            } else if (t == MAZE_WALL) {
                c = '#';
            } else if (t == MAZE_GOAL) {
                c = 'G';
            } else if (x == task->start_x && y == task->start_y) {
                c = 's';
            }
            *p++ = c;
        }
        *p++ = '\n';
    }
    double deg = 360.0 * st->h / st->kin.n_head;
    snprintf(p, (size_t)(buf + buf_size - p), "t=%d/%d x=%.3f y=%.3f heading=%g deg%s\n", st->t,
             task->horizon, (double)st->px / q, (double)st->py / q, deg,
             st->success ? " (goal reached)" : "");
    snprintf(out, (size_t)out_size, "%s", pic);
    return MRL_OK;
}

static int32_t top_down_side(int32_t max_rooms) {
    return (2 * max_rooms + 1) * 16;
}

static int32_t maze_render_size(int32_t* width, int32_t* height, const double* params, int32_t view,
                                char* err) {
    if (view == MRL_VIEW_FIRST_PERSON) {
        *width = (int32_t)params[MAZE_P_WIDTH];
        *height = (int32_t)params[MAZE_P_HEIGHT];
        return MRL_OK;
    }
    if (view == MRL_VIEW_TOP_DOWN) {
        *width = *height = top_down_side((int32_t)params[MAZE_P_MAX_ROOMS]);
        return MRL_OK;
    }
    snprintf(err, MRL_ERR_MAX, "maze: unknown view %d", view);
    return MRL_EINVAL;
}

static void put_px(uint8_t* rgb, int32_t w, int32_t h, int32_t x, int32_t y, const uint8_t* c) {
    if (x >= 0 && y >= 0 && x < w && y < h) {
        memcpy(rgb + ((size_t)y * (size_t)w + (size_t)x) * 3, c, 3);
    }
}

static void render_top_down(const MazeState* st, uint8_t* rgb) {
    static const uint8_t bg[3] = {40, 40, 40}, wall[3] = {90, 90, 105}, freec[3] = {225, 225, 215},
                         goal[3] = {MAZE_RGB_GOAL_X}, start[3] = {170, 220, 170},
                         body[3] = {40, 90, 220}, nose[3] = {250, 200, 0};
    const MazeTask* task = st->task;
    int32_t side = top_down_side(st->max_rooms);
    int32_t size = task->size;
    int32_t cell = side / size;
    int32_t off = (side - cell * size) / 2;
    for (int32_t i = 0; i < side * side; i++) {
        memcpy(rgb + (size_t)i * 3, bg, 3);
    }
    for (int32_t y = 0; y < size; y++) {
        for (int32_t x = 0; x < size; x++) {
            int t = task->grid[y * size + x];
            const uint8_t* c = t == MAZE_WALL ? wall : t == MAZE_GOAL ? goal : freec;
            if (t == MAZE_FREE && x == task->start_x && y == task->start_y) {
                c = start;
            }
            for (int32_t v = 0; v < cell; v++) {
                for (int32_t u = 0; u < cell; u++) {
                    put_px(rgb, side, side, off + x * cell + u, off + y * cell + v, c);
                }
            }
        }
    }
    // the body (its true square) and a line along the heading
    double scale = (double)cell / st->kin.q;
    double cx = off + st->px * scale, cy = off + st->py * scale;
    double half = st->kin.rr > 0 ? st->kin.rr * scale : 0.2 * cell;
    for (int32_t v = (int32_t)floor(cy - half); v <= (int32_t)ceil(cy + half); v++) {
        for (int32_t u = (int32_t)floor(cx - half); u <= (int32_t)ceil(cx + half); u++) {
            put_px(rgb, side, side, u, v, body);
        }
    }
    double th = 2.0 * PI * st->h / st->kin.n_head;
    for (int32_t k = 0; k <= (int32_t)(0.45 * cell); k++) {
        put_px(rgb, side, side, (int32_t)lround(cx + k * cos(th)),
               (int32_t)lround(cy + k * sin(th)), nose);
    }
}

static int32_t maze_render_rgb(const void* state, uint8_t* rgb, int32_t view, char* err) {
    const MazeState* st = (const MazeState*)state;
    if (!st->reset_done) {
        snprintf(err, MRL_ERR_MAX, "maze: render before reset");
        return MRL_ESTATE;
    }
    if (view == MRL_VIEW_TOP_DOWN) {
        render_top_down(st, rgb);
        return MRL_OK;
    }
    if (view != MRL_VIEW_FIRST_PERSON) {
        snprintf(err, MRL_ERR_MAX, "maze: unknown view %d", view);
        return MRL_EINVAL;
    }
    // the reference renderer, one row of pixels at a time (no allocation)
    enum { MAX_W = 512 };
    MazeHit hits[MAX_W];
    int32_t w = st->width, h = st->height, q = st->kin.q;
    double th = 2.0 * PI * st->h / st->kin.n_head;
    maze_cast_reference(hits, st->task, (double)st->px / q, (double)st->py / q, th, st->fov, w);
    double focal = 0.5 * w / tan(0.5 * st->fov);
    static const uint8_t ceil_c[3] = {MAZE_RGB_CEILING}, floor_c[3] = {MAZE_RGB_FLOOR};
    static const uint8_t hit_c[2][2][3] = {{{MAZE_RGB_WALL_X}, {MAZE_RGB_WALL_Y}},
                                           {{MAZE_RGB_GOAL_X}, {MAZE_RGB_GOAL_Y}}};
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            double hh = 0.5 * focal / (double)hits[x].perp;
            double dy = (double)y + 0.5 - 0.5 * h;
            const uint8_t* c = fabs(dy) < hh ? hit_c[hits[x].type == MAZE_GOAL][hits[x].side]
                               : dy < 0.0    ? ceil_c
                                             : floor_c;
            memcpy(rgb + ((size_t)y * (size_t)w + (size_t)x) * 3, c, 3);
        }
    }
    return MRL_OK;
}

// ---- oracle ----

static int32_t maze_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    const MazeState* st = (const MazeState*)state;
    if (!st->reset_done) {
        snprintf(err, MRL_ERR_MAX, "maze: oracle before reset");
        return MRL_ESTATE;
    }
    if (!st->oracle || !st->oracle_ready) {
        snprintf(err, MRL_ERR_MAX, "maze: the oracle needs env parameter oracle: true");
        return MRL_ENOTSUP;
    }
    if (st->ended) { // 0 once the episode has ended (success or horizon)
        info->steps = 0.0;
        info->valid = MRL_ORACLE_STEPS;
        return MRL_OK;
    }
    int a = MAZE_FORWARD;
    int64_t d = maze_oracle_query(st, st->px, st->py, st->h, &a);
    if (d < 0) {
        info->steps = INFINITY;
        info->valid = MRL_ORACLE_STEPS;
        return MRL_OK;
    }
    info->steps = (double)d;
    info->valid = MRL_ORACLE_STEPS | MRL_ORACLE_ACTION;
    action[0] = (float)a;
    return MRL_OK;
}

// ---- the table ----

static const MrlEnvApi maze_api = {
    .abi_major = MRL_ABI_MAJOR,
    .abi_minor = MRL_ABI_MINOR,
    .struct_size = sizeof(MrlEnvApi),
    .name = "maze",
    .version = "1.0.0",
    .summary = "RL2/SNAIL random mazes (Prim), first-person raycast views, shortest-path oracle",
    .n_params = MAZE_N_PARAMS,
    .params = params_table,
    .describe = maze_describe,
    .task_sample = maze_task_sample,
    .task_fingerprint = maze_task_fingerprint,
    .init = maze_init,
    .release = NULL,
    .reset = maze_reset,
    .step = maze_step,
    .render_text = maze_render_text,
    .render_size = maze_render_size,
    .render_rgb = maze_render_rgb,
    .oracle = maze_oracle,
};

MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void) {
    return &maze_api;
}
