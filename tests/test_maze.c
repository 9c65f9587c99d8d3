// test_maze.c — tests of the maze plugin (plugins/maze): maze generation,
// kinematics, rewards and episode ends, the raycaster against hand-computed
// scenes and against its brute-force reference, the local view, rendering
// and the shortest-path oracle (checked against an independent forward BFS).
// The plugin is loaded from the build tree with dlopen; hand-made tasks are
// written with the layout in plugins/maze/maze.h.
//   ctest --test-dir build -R test_maze
//   CMOCKA_TEST_FILTER='*oracle*' ./build/tests/test_maze
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plugins/maze/maze.h"
#include "metarl/config.h"
#include "metarl/conform.h"
#include "metarl/host.h"
#include "metarl/plugin.h"
#include "metarl/tasks.h"

// ---- helpers ----

static const MrlEnvApi* load_api(void) {
    static const MrlEnvApi* api;
    if (!api) {
        void* h = dlopen(MRL_BINARY_DIR "/plugins/maze.so", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fail_msg("dlopen: %s", dlerror());
        }
        MrlPluginEntryFn entry = (MrlPluginEntryFn)dlsym(h, MRL_PLUGIN_ENTRY_SYMBOL);
        assert_non_null(entry);
        api = entry();
    }
    return api;
}

static int param_index(const MrlEnvApi* api, const char* name) {
    for (int i = 0; i < api->n_params; i++) {
        if (strcmp(api->params[i].name, name) == 0) {
            return i;
        }
    }
    fail_msg("no parameter %s", name);
    return -1;
}

// One env instance with its own task buffer.
typedef struct Env {
    const MrlEnvApi* api;
    double params[MAZE_N_PARAMS];
    MrlEnvInfo info;
    void* state;
    MazeTask* task;
    float* obs;
    char err[MRL_ERR_MAX];
} Env;

static void params_default(const MrlEnvApi* api, double* p) {
    for (int i = 0; i < api->n_params; i++) {
        p[i] = api->params[i].def;
    }
}

// Sets parameters from "name=value" pairs (choices by name), NULL-terminated.
static void params_set(const MrlEnvApi* api, double* p, const char* const* kv) {
    for (; kv && *kv; kv++) {
        char name[64];
        const char* eq = strchr(*kv, '=');
        assert_non_null(eq);
        snprintf(name, sizeof name, "%.*s", (int)(eq - *kv), *kv);
        int i = param_index(api, name);
        const MrlParamDef* d = &api->params[i];
        if (d->kind == MRL_PARAM_CHOICE) {
            int found = -1;
            for (int c = 0; d->choices[c]; c++) {
                if (strcmp(d->choices[c], eq + 1) == 0) {
                    found = c;
                }
            }
            assert_true(found >= 0);
            p[i] = found;
        } else {
            p[i] = atof(eq + 1);
        }
    }
}

static void env_open(Env* e, const char* const* kv) {
    memset(e, 0, sizeof *e);
    e->api = load_api();
    params_default(e->api, e->params);
    params_set(e->api, e->params, kv);
    assert_int_equal(e->api->describe(&e->info, e->params, e->err), MRL_OK);
    e->state = calloc(1, e->info.state_bytes);
    e->task = calloc(1, e->info.task_bytes);
    e->obs = calloc((size_t)e->info.obs.n + 16, sizeof(float));
    assert_non_null(e->state);
    assert_int_equal(e->api->init(e->state, e->params, e->err), MRL_OK);
}

static void env_close(Env* e) {
    free(e->state);
    free(e->task);
    free(e->obs);
}

static void env_sample(Env* e, uint64_t seed) {
    MrlRng rng = {seed * 0x9e3779b97f4a7c15ull + 1, 2 * seed + 1};
    memset(e->task, 0, e->info.task_bytes);
    assert_int_equal(e->api->task_sample(e->task, e->params, &rng, e->err), MRL_OK);
}

static void env_reset(Env* e) {
    MrlRng rng = {1, 1};
    int rc = e->api->reset(e->state, e->obs, e->task, &rng, e->err);
    if (rc != MRL_OK) {
        fail_msg("reset: %s", e->err);
    }
}

typedef struct StepOut {
    float reward;
    int32_t term, trunc;
} StepOut;

static StepOut env_step(Env* e, int action) {
    StepOut o = {0};
    float a = (float)action;
    MrlRng rng = {1, 1};
    int rc = e->api->step(e->state, e->obs, &o.reward, &o.term, &o.trunc, &a, &rng, e->err);
    if (rc != MRL_OK) {
        fail_msg("step: %s", e->err);
    }
    return o;
}

static MazeState* st_of(Env* e) {
    return (MazeState*)e->state;
}

// Writes a hand-made task: rows of '#' wall, ' ' free, 'G' goal, 'S' start.
static void env_hand_task(Env* e, const char* const* rows, int heading) {
    memset(e->task, 0, e->info.task_bytes);
    int size = (int)strlen(rows[0]);
    MazeTask* t = e->task;
    t->size = size;
    t->rooms = (size - 1) / 2;
    t->horizon = 250;
    t->heading = heading;
    t->goal_reward = 1.0;
    t->wall_penalty = -0.001;
    t->step_penalty = -0.04;
    for (int y = 0; y < size; y++) {
        assert_int_equal((int)strlen(rows[y]), size);
        for (int x = 0; x < size; x++) {
            char c = rows[y][x];
            t->grid[y * size + x] = c == '#' ? MAZE_WALL : c == 'G' ? MAZE_GOAL : MAZE_FREE;
            if (c == 'S') {
                t->start_x = x;
                t->start_y = y;
            }
            if (c == 'G') {
                t->goal_x = x;
                t->goal_y = y;
            }
        }
    }
}

static int room_count_reachable(const MazeTask* t) {
    // flood fill over non-wall cells from the start
    int size = t->size, n = 0;
    int seen[MAZE_MAX_SIZE * MAZE_MAX_SIZE] = {0};
    int queue[MAZE_MAX_SIZE * MAZE_MAX_SIZE];
    int head = 0, tail = 0;
    queue[tail++] = t->start_y * size + t->start_x;
    seen[queue[0]] = 1;
    while (head < tail) {
        int c = queue[head++];
        int x = c % size, y = c / size;
        if (x % 2 == 1 && y % 2 == 1) {
            n++;
        }
        const int nb[4] = {1, -1, size, -size};
        for (int k = 0; k < 4; k++) {
            int d = c + nb[k];
            if (!seen[d] && t->grid[d] != MAZE_WALL) {
                seen[d] = 1;
                queue[tail++] = d;
            }
        }
    }
    return n;
}

// ---- parameters and describe ----

static void test_maze_params_table(void** unused) {
    (void)unused;
    const MrlEnvApi* api = load_api();
    assert_int_equal(api->abi_major, MRL_ABI_MAJOR);
    assert_int_equal(api->n_params, MAZE_N_PARAMS);
    assert_string_equal(api->name, "maze");
    for (int i = 0; i < api->n_params; i++) {
        const MrlParamDef* d = &api->params[i];
        if (d->kind == MRL_PARAM_INT || d->kind == MRL_PARAM_REAL) {
            assert_true(d->def >= d->lo && d->def <= d->hi);
        }
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(d->name, api->params[j].name);
        }
    }
    // the table order matches maze.h
    assert_int_equal(param_index(api, "rooms"), MAZE_P_ROOMS);
    assert_int_equal(param_index(api, "oracle"), MAZE_P_ORACLE);
    assert_int_equal(param_index(api, "renderer"), MAZE_P_RENDERER);
    assert_int_equal(param_index(api, "local_size"), MAZE_P_LOCAL_SIZE);
}

static void test_maze_describe_spaces(void** unused) {
    (void)unused;
    const MrlEnvApi* api = load_api();
    double p[MAZE_N_PARAMS];
    MrlEnvInfo info;
    char err[MRL_ERR_MAX];
    params_default(api, p);
    assert_int_equal(api->describe(&info, p, err), MRL_OK);
    assert_int_equal(info.obs.kind, MRL_SPACE_BOX);
    assert_int_equal(info.obs.ndim, 2);
    assert_int_equal(info.obs.shape[0], 32);
    assert_int_equal(info.obs.shape[1], 3);
    assert_int_equal(info.action.kind, MRL_SPACE_DISCRETE);
    assert_int_equal(info.action.n, 3);
    assert_int_equal(info.max_episode_steps, 250);
    assert_true(fabs(info.reward_max - 0.96) < 1e-6);
    assert_true(fabs(info.reward_min - (-0.041)) < 1e-6);

    const char* pix[] = {"obs=pixels", NULL};
    params_set(api, p, pix);
    assert_int_equal(api->describe(&info, p, err), MRL_OK);
    assert_int_equal(info.obs.ndim, 3);
    assert_int_equal(info.obs.shape[0], 30);
    assert_int_equal(info.obs.shape[1], 40);
    assert_int_equal(info.obs.shape[2], 3);
    assert_int_equal(info.obs.n, 3600);
    assert_true(info.obs.low == -1.0f && info.obs.high == 1.0f);

    // rooms does not change the spaces or sizes (it is not a SHAPE parameter)
    MrlEnvInfo a, b;
    params_default(api, p);
    p[MAZE_P_ROOMS] = 2;
    assert_int_equal(api->describe(&a, p, err), MRL_OK);
    p[MAZE_P_ROOMS] = 5;
    assert_int_equal(api->describe(&b, p, err), MRL_OK);
    assert_int_equal(a.task_bytes, b.task_bytes);
    assert_int_equal(a.state_bytes, b.state_bytes);
    assert_int_equal(a.obs.n, b.obs.n);
}

static void test_maze_describe_rejects_bad_params(void** unused) {
    (void)unused;
    const MrlEnvApi* api = load_api();
    double p[MAZE_N_PARAMS];
    MrlEnvInfo info;
    char err[MRL_ERR_MAX];
    params_default(api, p);
    p[MAZE_P_TURN] = 35.0; // does not divide 90
    assert_int_equal(api->describe(&info, p, err), MRL_EINVAL);
    assert_non_null(strstr(err, "turn"));
    params_default(api, p);
    p[MAZE_P_LATTICE] = 25;
    assert_int_equal(api->describe(&info, p, err), MRL_EINVAL);
    assert_non_null(strstr(err, "lattice"));
    params_default(api, p);
    p[MAZE_P_LOCAL_SIZE] = 4;
    assert_int_equal(api->describe(&info, p, err), MRL_EINVAL);
    params_default(api, p);
    p[MAZE_P_RADIUS] = 0.0;
    assert_int_equal(api->describe(&info, p, err), MRL_EINVAL);
    // rooms above max_rooms is refused when sampling
    params_default(api, p);
    p[MAZE_P_ROOMS] = 7;
    assert_int_equal(api->describe(&info, p, err), MRL_OK);
    uint8_t* task = calloc(1, info.task_bytes + 4096);
    MrlRng rng = {1, 1};
    assert_int_equal(api->task_sample(task, p, &rng, err), MRL_EINVAL);
    assert_non_null(strstr(err, "max_rooms"));
    free(task);
}

// ---- maze generation ----

static void test_maze_generation_perfect(void** unused) {
    (void)unused;
    static const int sizes[] = {2, 3, 5, 8, 15};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        int R = sizes[si];
        char kv_rooms[32], kv_max[32];
        snprintf(kv_rooms, sizeof kv_rooms, "rooms=%d", R);
        snprintf(kv_max, sizeof kv_max, "max_rooms=%d", R < 5 ? 5 : R);
        const char* kv[] = {kv_rooms, kv_max, NULL};
        Env e;
        env_open(&e, kv);
        int n_tasks = R <= 5 ? 300 : 30;
        for (int k = 0; k < n_tasks; k++) {
            env_sample(&e, (uint64_t)(k + 1000 * R));
            const MazeTask* t = e.task;
            int size = 2 * R + 1;
            assert_int_equal(t->rooms, R);
            assert_int_equal(t->size, size);
            int passages = 0;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int c = t->grid[y * size + x];
                    int border = x == 0 || y == 0 || x == size - 1 || y == size - 1;
                    if (border || (x % 2 == 0 && y % 2 == 0)) {
                        assert_int_equal(c, MAZE_WALL); // frame and pillars
                    } else if (x % 2 == 1 && y % 2 == 1) {
                        assert_int_not_equal(c, MAZE_WALL); // rooms
                    } else if (c == MAZE_FREE) {
                        passages++;
                    } else {
                        assert_int_equal(c, MAZE_WALL);
                    }
                }
            }
            // a tree over R² rooms: R²-1 passages, every room reachable
            assert_int_equal(passages, R * R - 1);
            assert_int_equal(room_count_reachable(t), R * R);
            // start and goal: distinct rooms, goal marked in the grid
            assert_true(t->start_x % 2 == 1 && t->start_y % 2 == 1);
            assert_true(t->goal_x % 2 == 1 && t->goal_y % 2 == 1);
            assert_false(t->start_x == t->goal_x && t->start_y == t->goal_y);
            assert_int_equal(t->grid[t->goal_y * size + t->goal_x], MAZE_GOAL);
            assert_int_equal(t->grid[t->start_y * size + t->start_x], MAZE_FREE);
            assert_true(t->heading >= 0 && t->heading < 12);
            // bytes past the grid stay zero
            const uint8_t* bytes = (const uint8_t*)t;
            for (size_t b = sizeof(MazeTask) + (size_t)size * size; b < e.info.task_bytes; b++) {
                assert_int_equal(bytes[b], 0);
            }
        }
        env_close(&e);
    }
}

static void test_maze_generation_deterministic(void** unused) {
    (void)unused;
    Env e;
    env_open(&e, NULL);
    uint8_t* a = calloc(1, e.info.task_bytes);
    env_sample(&e, 42);
    memcpy(a, e.task, e.info.task_bytes);
    env_sample(&e, 42);
    assert_memory_equal(a, e.task, e.info.task_bytes);
    uint64_t fa = e.api->task_fingerprint(a, e.params);
    assert_int_equal(fa, e.api->task_fingerprint(e.task, e.params));
    env_sample(&e, 43);
    assert_memory_not_equal(a, e.task, e.info.task_bytes);
    assert_int_not_equal(fa, e.api->task_fingerprint(e.task, e.params));
    free(a);
    env_close(&e);
}

static void test_maze_fingerprints_match_content(void** unused) {
    (void)unused;
    // among 2000 small tasks, equal fingerprints exactly when equal bytes
    // (R=3 has only 192 layouts, so layouts repeat; whole tasks rarely do)
    Env e;
    env_open(&e, NULL);
    enum { N = 2000 };
    size_t tb = e.info.task_bytes;
    uint8_t* all = calloc(N, tb);
    uint64_t* fp = calloc(N, sizeof *fp);
    for (int i = 0; i < N; i++) {
        env_sample(&e, (uint64_t)i + 7);
        memcpy(all + (size_t)i * tb, e.task, tb);
        fp[i] = e.api->task_fingerprint(e.task, e.params);
    }
    int layouts_shared = 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i; j++) {
            int same = memcmp(all + (size_t)i * tb, all + (size_t)j * tb, tb) == 0;
            assert_int_equal(same, fp[i] == fp[j]);
            const MazeTask* ti = (const MazeTask*)(all + (size_t)i * tb);
            const MazeTask* tj = (const MazeTask*)(all + (size_t)j * tb);
            layouts_shared += ti->goal_x == tj->goal_x && ti->goal_y == tj->goal_y &&
                              memcmp(ti->grid, tj->grid, 49) == 0;
        }
    }
    assert_true(layouts_shared > 0); // the point of the comment above
    free(all);
    free(fp);
    env_close(&e);
}

static void test_maze_config_sets_disjoint(void** unused) {
    (void)unused;
    // the committed paper config: 1000 train, 1000 test, 1000 large mazes
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = mrl_config_load(MRL_SOURCE_DIR "/configs/maze_snail.yaml", NULL, 0, err);
    if (!cfg) {
        fail_msg("%s", err);
    }
    MrlPlugin pl;
    assert_int_equal(mrl_plugin_open(&pl, MRL_BINARY_DIR "/plugins/maze.so", NULL, err), MRL_OK);
    assert_int_equal(mrl_config_bind_plugin(cfg, &pl.api, err), MRL_OK);
    assert_int_equal(cfg->run.n_tests, 2);
    MrlTaskSet tests[2], train, raw;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(mrl_taskset_init(&tests[k], &cfg->run.tests[k], &pl.api, NULL, 0, err),
                         MRL_OK);
    }
    assert_string_equal(tests[1].spec->name, "large");
    assert_int_equal(tests[1].info.max_episode_steps, 1000);
    uint64_t* ex;
    int64_t n_ex;
    assert_int_equal(mrl_taskset_collect(tests, 2, &ex, &n_ex, err), MRL_OK);
    assert_int_equal(mrl_taskset_init(&train, &cfg->run.train, &pl.api, ex, n_ex, err), MRL_OK);
    assert_int_equal(train.count, 1000);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(mrl_taskset_check_disjoint(&train, &tests[k], err), MRL_OK);
    }
    // every large task is a 5-room maze, every small one a 3-room maze
    for (int64_t i = 0; i < 1000; i++) {
        const MazeTask* t =
            (const MazeTask*)(tests[1].tasks + (size_t)i * mrl_taskset_stride(&tests[1]));
        assert_int_equal(t->rooms, 5);
        assert_int_equal(t->horizon, 1000);
        t = (const MazeTask*)(train.tasks + (size_t)i * mrl_taskset_stride(&train));
        assert_int_equal(t->rooms, 3);
    }
    // small mazes repeat whole tasks now and then (192 layouts × 72 start/goal
    // pairs × 12 headings), so without the exclusion list some training tasks
    // would be held-out tasks: the exclusion is what makes the sets disjoint
    assert_int_equal(mrl_taskset_init(&raw, &cfg->run.train, &pl.api, NULL, 0, err), MRL_OK);
    assert_int_not_equal(mrl_taskset_check_disjoint(&raw, &tests[0], err), MRL_OK);
    assert_non_null(strstr(err, "share fingerprint"));
    mrl_taskset_release(&raw);
    mrl_taskset_release(&train);
    mrl_taskset_release(&tests[0]);
    mrl_taskset_release(&tests[1]);
    free(ex);
    mrl_plugin_close(&pl);
    mrl_config_free(cfg);
}

// ---- kinematics, rewards, ends ----

static void test_maze_div_q_exact(void** unused) {
    (void)unused;
    // every lattice coordinate is below 31 cells * 64 units < 2048
    for (int32_t q = 2; q <= 64; q++) {
        MazeKin kin;
        maze_kin_set_q(&kin, q);
        for (int32_t x = 0; x < 2048; x++) {
            assert_int_equal(maze_div_q(&kin, x), x / q);
        }
    }
}

static void check_body_clear(Env* e) {
    const MazeState* st = st_of(e);
    assert_int_equal(maze_box_hits(e->task->grid, e->task->size, &st->kin, st->px, st->py), 0);
}

static void test_maze_random_walk_never_in_wall(void** unused) {
    (void)unused;
    const char* modes[2][3] = {{"mode=continuous", "rooms=3", NULL},
                               {"mode=grid", "rooms=5", NULL}};
    for (int m = 0; m < 2; m++) {
        Env e;
        env_open(&e, modes[m]);
        MrlRng rng = {99, 7};
        int bumps = 0, moves = 0;
        for (int k = 0; k < 40; k++) {
            env_sample(&e, (uint64_t)k);
            e.task->horizon = 2000;
            env_reset(&e);
            check_body_clear(&e);
            for (int t = 0; t < 2000; t++) {
                int a = (int)mrl_rng_below(&rng, 3);
                int32_t px = st_of(&e)->px, py = st_of(&e)->py;
                StepOut o = env_step(&e, a);
                check_body_clear(&e);
                if (o.term || o.trunc) {
                    break;
                }
                int bumped = fabsf(o.reward - (-0.041f)) < 1e-6f;
                bumps += bumped;
                if (a == MAZE_FORWARD && !bumped) {
                    moves++;
                    assert_true(px != st_of(&e)->px || py != st_of(&e)->py);
                }
                if (a != MAZE_FORWARD) {
                    assert_true(px == st_of(&e)->px && py == st_of(&e)->py);
                }
            }
        }
        assert_true(bumps > 0 && moves > 0);
        env_close(&e);
    }
}

static void test_maze_bump_penalty_and_slide(void** unused) {
    (void)unused;
    Env e;
    env_open(&e, NULL);
    const char* rows[] = {"#######", "#S    #", "#######", "#######",
                          "#   G #", "#######", "#######"};
    // facing north (heading 9 of 12 = 270 degrees) into the wall above
    env_hand_task(&e, rows, 9);
    env_reset(&e);
    int32_t px = st_of(&e)->px, py = st_of(&e)->py;
    // centre 1.5 cells, half-width 4/24: 8/24 of free space above the body,
    // so one step of 8 units fits exactly and the next is blocked
    StepOut o = env_step(&e, MAZE_FORWARD);
    assert_true(fabsf(o.reward - (-0.04f)) < 1e-7f);
    assert_int_equal(st_of(&e)->py, py - 8);
    o = env_step(&e, MAZE_FORWARD);
    assert_true(fabsf(o.reward - (-0.041f)) < 1e-7f);
    assert_int_equal(o.term, MRL_TERM_NONE);
    assert_int_equal(st_of(&e)->py, py - 8);
    assert_int_equal(st_of(&e)->last_outcome, MAZE_BLOCKED);
    // turn right to 300 degrees (north-east): the y part is blocked, so the
    // body slides east along the wall, and the bump is charged
    env_step(&e, MAZE_RIGHT);
    o = env_step(&e, MAZE_FORWARD);
    assert_true(fabsf(o.reward - (-0.041f)) < 1e-7f);
    assert_int_equal(st_of(&e)->last_outcome, MAZE_SLID);
    assert_int_equal(st_of(&e)->py, py - 8);
    assert_int_equal(st_of(&e)->px, px + st_of(&e)->kin.d[10][0]);
    env_close(&e);
}

static void test_maze_goal_terminates(void** unused) {
    (void)unused;
    Env e;
    env_open(&e, NULL);
    const char* rows[] = {"#######", "#S G  #", "#######", "#######",
                          "#     #", "#######", "#######"};
    env_hand_task(&e, rows, 0); // facing east, the goal block 1 cell ahead
    env_reset(&e);
    // the goal face is at x=3, the body front at 1.5+1/6: 1.333 cells = 32
    // units, 8 units per step: 4 free moves end flush against the face (touching
    // a face is not overlapping it), the 5th touches the goal
    for (int i = 0; i < 4; i++) {
        StepOut o = env_step(&e, MAZE_FORWARD);
        assert_int_equal(o.term, MRL_TERM_NONE);
        assert_true(fabsf(o.reward - (-0.04f)) < 1e-7f);
    }
    StepOut o = env_step(&e, MAZE_FORWARD);
    assert_int_equal(o.term, MRL_TERM_SUCCESS);
    assert_int_equal(o.trunc, 0);
    assert_true(fabsf(o.reward - 0.96f) < 1e-7f);
    // no step after the end
    float a = MAZE_FORWARD, r;
    int32_t term, trunc;
    MrlRng rng = {1, 1};
    assert_int_equal(e.api->step(e.state, e.obs, &r, &term, &trunc, &a, &rng, e.err), MRL_ESTATE);
    env_close(&e);
}

static void test_maze_horizon_truncates(void** unused) {
    (void)unused;
    Env e;
    env_open(&e, NULL);
    env_sample(&e, 5);
    e.task->horizon = 17;
    env_reset(&e);
    for (int t = 1; t <= 17; t++) {
        StepOut o = env_step(&e, MAZE_LEFT); // spinning never reaches the goal
        assert_int_equal(o.term, MRL_TERM_NONE);
        assert_int_equal(o.trunc, t == 17 ? 1 : 0);
    }
    // a new episode of the same task starts over
    env_reset(&e);
    StepOut o = env_step(&e, MAZE_LEFT);
    assert_int_equal(o.trunc, 0);
    assert_int_equal(st_of(&e)->t, 1);
    env_close(&e);
}

static void test_maze_bad_action_and_order(void** unused) {
    (void)unused;
    Env e;
    env_open(&e, NULL);
    float a = 0, r;
    int32_t term, trunc;
    MrlRng rng = {1, 1};
    assert_int_equal(e.api->step(e.state, e.obs, &r, &term, &trunc, &a, &rng, e.err), MRL_ESTATE);
    env_sample(&e, 1);
    env_reset(&e);
    const float bad[] = {3.0f, -1.0f, 0.5f, NAN};
    for (int i = 0; i < 4; i++) {
        a = bad[i];
        assert_int_equal(e.api->step(e.state, e.obs, &r, &term, &trunc, &a, &rng, e.err),
                         MRL_EINVAL);
        assert_non_null(strstr(e.err, "action"));
    }
    // a malformed task is refused at reset
    e.task->rooms = 9; // above max_rooms 5
    assert_int_equal(e.api->reset(e.state, e.obs, e.task, &rng, e.err), MRL_EINVAL);
    env_close(&e);
}

static void test_maze_grid_mode_moves_one_cell(void** unused) {
    (void)unused;
    const char* kv[] = {"mode=grid", NULL};
    Env e;
    env_open(&e, kv);
    const char* rows[] = {"#######", "#S   G#", "#######", "#######",
                          "#     #", "#######", "#######"};
    env_hand_task(&e, rows, 0);
    env_reset(&e);
    assert_int_equal(st_of(&e)->kin.n_head, 4);
    for (int i = 0; i < 3; i++) {
        StepOut o = env_step(&e, MAZE_FORWARD);
        assert_int_equal(o.term, 0);
        assert_int_equal(st_of(&e)->px / 2, 2 + i);
    }
    StepOut o = env_step(&e, MAZE_FORWARD);
    assert_int_equal(o.term, MRL_TERM_SUCCESS);
    env_reset(&e);
    env_step(&e, MAZE_LEFT); // north: a wall
    o = env_step(&e, MAZE_FORWARD);
    assert_true(fabsf(o.reward - (-0.041f)) < 1e-7f);
    assert_int_equal(st_of(&e)->py, 3);
    env_close(&e);
}

// ---- raycaster ----

// an open 7×7 room (size 9), the agent at (1.5, 4.5) facing east; the goal
// block sits in the west frame, out of view
static const char* open_room[] = {"#########", "G       #", "#       #", "#       #", "#S      #",
                                  "#       #", "#       #", "#       #", "#########"};

// perpendicular distance from (1.5, 4.5) facing east to the north (y = 1) or
// south (y = 8) face of the open room along column i of n
static double side_face(int i, int n) {
    double cam = 2.0 * (i + 0.5) / n - 1.0 + MAZE_CAM_JITTER;
    return 3.5 / fabs(cam);
}

static void check_strip(const float* obs, const double* perp, const int* side, const int* goal,
                        int n) {
    for (int i = 0; i < n; i++) {
        double inv = 1.0 / (1.0 + perp[i]);
        if (fabs(obs[3 * i + 2] - inv) > 1e-5 || (int)obs[3 * i + 1] != side[i] ||
            (int)obs[3 * i] != goal[i]) {
            fail_msg("column %d: got (%g, %g, %g) want (%d, %d, %g)", i, obs[3 * i], obs[3 * i + 1],
                     obs[3 * i + 2], goal[i], side[i], inv);
        }
    }
}

static void test_maze_raycast_hand_scene_wall(void** unused) {
    (void)unused;
    const char* renderers[] = {"renderer=fast", "renderer=reference"};
    for (int r = 0; r < 2; r++) {
        const char* kv[] = {"strip_width=8", renderers[r], NULL};
        Env e;
        env_open(&e, kv);
        env_hand_task(&e, open_room, 0);
        env_reset(&e);
        // columns at camera x = ±1/8, ±3/8, ±5/8, ±7/8 with tan(45°) = 1:
        // the east wall face (x = 8) is 6.5 away for |cam| <= 3/8; steeper
        // rays reach the north/south faces (y = 1 or 8) at 3.5 / |cam|
        const double perp[8] = {side_face(0, 8), side_face(1, 8), 6.5, 6.5, 6.5, 6.5,
                                side_face(6, 8), side_face(7, 8)};
        assert_true(fabs(perp[0] - 4.0) < 0.01 && fabs(perp[1] - 5.6) < 0.01);
        const int side[8] = {1, 1, 0, 0, 0, 0, 1, 1};
        const int goal[8] = {0};
        check_strip(e.obs, perp, side, goal, 8);
        env_close(&e);
    }
}

static void test_maze_raycast_goal_visible_and_hidden(void** unused) {
    (void)unused;
    const char* renderers[] = {"renderer=fast", "renderer=reference"};
    for (int r = 0; r < 2; r++) {
        const char* kv[] = {"strip_width=8", renderers[r], NULL};
        Env e;
        env_open(&e, kv);
        const char* visible[9];
        memcpy(visible, open_room, sizeof visible);
        visible[1] = "#       #";
        visible[4] = "#S  G   #"; // goal block at (4, 4)
        env_hand_task(&e, visible, 0);
        env_reset(&e);
        // the two centre rays (|cam| = 1/8) meet the goal's face x = 4 at
        // y = 4.5 ± 2.5/8, inside the block; the |cam| = 3/8 rays pass above
        // and below it (y = 3.56 / 5.44 at x = 4) to the east wall
        const double perp[8] = {side_face(0, 8), side_face(1, 8), 6.5, 2.5, 2.5, 6.5,
                                side_face(6, 8), side_face(7, 8)};
        const int side[8] = {1, 1, 0, 0, 0, 0, 1, 1};
        const int goal[8] = {0, 0, 0, 1, 1, 0, 0, 0};
        check_strip(e.obs, perp, side, goal, 8);

        const char* hidden[9];
        memcpy(hidden, visible, sizeof hidden);
        hidden[4] = "#S #G   #"; // a wall cell at (3, 4) in front of the goal at (4, 4)
        env_hand_task(&e, hidden, 0);
        env_reset(&e);
        const double perp2[8] = {perp[0], perp[1], 6.5, 1.5, 1.5, 6.5, perp[6], perp[7]};
        const int goal2[8] = {0};
        check_strip(e.obs, perp2, side, goal2, 8);

        // turning towards the goal from behind the pillar does not reveal it
        for (int k = 0; k < 12; k++) {
            env_step(&e, MAZE_LEFT);
            for (int i = 0; i < 8; i++) {
                assert_true(e.obs[3 * i] == 0.0f);
            }
        }
        env_close(&e);
    }
}

static void test_maze_raycast_pixels_hand_scene(void** unused) {
    (void)unused;
    const char* renderers[] = {"renderer=fast", "renderer=reference"};
    for (int r = 0; r < 2; r++) {
        const char* kv[] = {"obs=pixels", renderers[r], NULL};
        Env e;
        env_open(&e, kv);
        const char* scene[9];
        memcpy(scene, open_room, sizeof scene);
        scene[4] = "#S  G   #";
        env_hand_task(&e, scene, 0);
        env_reset(&e);
        // 40×30, fov 90: focal length 20 px. Column 20 (cam 0.025) sees the
        // goal face at 2.5: half height 20*0.5/2.5 = 4 px, rows 11..18
        // (|y+0.5-15| < 4). Column 30 (cam 0.525) passes below the goal to the
        // east wall at 6.5: half height 1.538 px, rows 13..16.
        const float* o = e.obs;
#define PIX(y, x, c) o[((y)*40 + (x)) * 3 + (c)]
        for (int y = 0; y < 30; y++) {
            float ceil_r = 70 / 127.5f - 1, floor_r = 110 / 127.5f - 1;
            float want20 = (y >= 11 && y <= 18) ? 235 / 127.5f - 1 : y < 15 ? ceil_r : floor_r;
            float want30 = (y >= 13 && y <= 16) ? 175 / 127.5f - 1 : y < 15 ? ceil_r : floor_r;
            if (fabsf(PIX(y, 20, 0) - want20) > 1e-6f || fabsf(PIX(y, 30, 0) - want30) > 1e-6f) {
                fail_msg("row %d: got %g %g want %g %g", y, PIX(y, 20, 0), PIX(y, 30, 0), want20,
                         want30);
            }
        }
        // every value in [-1, 1]
        for (int i = 0; i < 3600; i++) {
            assert_true(o[i] >= -1.0f && o[i] <= 1.0f);
        }
#undef PIX
        env_close(&e);
    }
}

static void test_maze_raycast_fast_matches_reference(void** unused) {
    (void)unused;
    const char* obs_modes[] = {"obs=strip", "obs=pixels"};
    for (int m = 0; m < 2; m++) {
        const char* kf[] = {obs_modes[m], "renderer=fast", "rooms=5", NULL};
        const char* kr[] = {obs_modes[m], "renderer=reference", "rooms=5", NULL};
        Env f, r;
        env_open(&f, kf);
        env_open(&r, kr);
        MrlRng rng = {3, 5};
        size_t n = (size_t)f.info.obs.n, differ = 0, total = 0;
        double max_err = 0.0;
        for (int k = 0; k < 20; k++) {
            env_sample(&f, (uint64_t)k + 100);
            memcpy(r.task, f.task, f.info.task_bytes);
            env_reset(&f);
            env_reset(&r);
            for (int t = 0; t < 150; t++) {
                int a = (int)mrl_rng_below(&rng, 3);
                StepOut of = env_step(&f, a);
                StepOut orf = env_step(&r, a);
                assert_int_equal(of.term, orf.term);
                for (size_t i = 0; i < n; i++) {
                    double d = fabs((double)f.obs[i] - (double)r.obs[i]);
                    if (m == 0 && i % 3 == 2) {
                        max_err = fmax(max_err, d); // inverse depth: a float tolerance
                    } else {
                        differ += d > 1e-6;
                    }
                }
                total += n;
                if (of.term || of.trunc) {
                    break;
                }
            }
        }
        print_message("%s: max depth err %g, %zu of %zu differ\n", obs_modes[m], max_err, differ,
                      total);
        // strip: depth within float error; categorical channels and pixels may
        // differ only where a ray grazes a corner or a span edge rounds
        if (max_err > 1e-4) {
            fail_msg("%s: inverse depth differs by %g", obs_modes[m], max_err);
        }
        if ((double)differ > 1e-3 * (double)total) {
            fail_msg("%s: %zu of %zu values differ", obs_modes[m], differ, total);
        }
        env_close(&f);
        env_close(&r);
    }
}

// ---- local view ----

static void test_maze_local_view(void** unused) {
    (void)unused;
    const char* kv[] = {"obs=local", "local_size=3", NULL};
    Env e;
    env_open(&e, kv);
    assert_int_equal(e.info.obs.n, 3 * 3 * 2 + 4);
    const char* rows[] = {"#######", "#S G  #", "## ####", "#     #",
                          "#     #", "#######", "#######"};
    env_hand_task(&e, rows, 0); // facing east at (1, 1)
    env_reset(&e);
    // row 0 is ahead (x = 2), centre column straight ahead: (2, 1) free,
    // (2, 0) wall (left-ahead), (2, 2) free (right-ahead)
    const float* o = e.obs;
#define WALL(i, j) o[((i)*3 + (j)) * 2]
#define GOAL(i, j) o[((i)*3 + (j)) * 2 + 1]
    assert_true(WALL(0, 1) == 0.0f && WALL(0, 0) == 1.0f && WALL(0, 2) == 0.0f);
    assert_true(WALL(1, 2) == 1.0f); // right: (1, 2)
    assert_true(WALL(1, 1) == 0.0f); // own cell
    assert_true(WALL(2, 1) == 1.0f); // behind (x = 0)
    // heading exactly east, body at the cell centre
    assert_true(fabsf(o[18] - 1.0f) < 1e-6f && fabsf(o[19]) < 1e-6f);
    assert_true(fabsf(o[20]) < 1e-6f && fabsf(o[21]) < 1e-6f);
    // move into (2, 1): the goal is then straight ahead
    for (int i = 0; i < 3; i++) {
        env_step(&e, MAZE_FORWARD);
    }
    assert_int_equal(st_of(&e)->px / 24, 2);
    assert_true(GOAL(0, 1) == 1.0f && WALL(0, 1) == 0.0f);
    // turn right three times (90 degrees: facing south); ahead is (2, 2), open
    for (int i = 0; i < 3; i++) {
        env_step(&e, MAZE_RIGHT);
    }
    assert_true(WALL(0, 1) == 0.0f && GOAL(0, 1) == 0.0f);
    assert_true(GOAL(1, 0) == 1.0f); // the goal is now to the left (east)
#undef WALL
#undef GOAL
    env_close(&e);
}

// ---- render ----

static void test_maze_render(void** unused) {
    (void)unused;
    Env e;
    env_open(&e, NULL);
    const char* rows[] = {"#######", "#S G  #", "### ###", "#     #",
                          "#     #", "#######", "#######"};
    env_hand_task(&e, rows, 0);
    env_reset(&e);
    char buf[1024];
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    assert_true(strncmp(buf, "#######\n#> G  #\n### ###\n", 24) == 0);
    assert_non_null(strstr(buf, "heading=0 deg"));
    env_step(&e, MAZE_RIGHT);
    env_step(&e, MAZE_RIGHT);
    env_step(&e, MAZE_RIGHT); // south
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    assert_true(strncmp(buf + 8, "#v G  #", 7) == 0);
    // a buffer too small gets a NUL-terminated prefix
    char full[1024], small[20];
    assert_int_equal(e.api->render_text(e.state, full, sizeof full, e.err), MRL_OK);
    assert_int_equal(e.api->render_text(e.state, small, sizeof small, e.err), MRL_OK);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);

    int32_t w, h;
    assert_int_equal(e.api->render_size(&w, &h, e.params, MRL_VIEW_FIRST_PERSON, e.err), MRL_OK);
    assert_true(w == 40 && h == 30);
    uint8_t* rgb = malloc((size_t)w * h * 3);
    assert_int_equal(e.api->render_rgb(e.state, rgb, MRL_VIEW_FIRST_PERSON, e.err), MRL_OK);
    // facing south from (1.5, 1.5): the wall face y = 2 is 0.5 away and fills the column
    assert_int_equal(rgb[(0 * 40 + 20) * 3 + 1], 125); // y-side wall colour, top row
    free(rgb);
    assert_int_equal(e.api->render_size(&w, &h, e.params, MRL_VIEW_TOP_DOWN, e.err), MRL_OK);
    assert_int_equal(w, 11 * 16);
    rgb = malloc((size_t)w * h * 3);
    assert_int_equal(e.api->render_rgb(e.state, rgb, MRL_VIEW_TOP_DOWN, e.err), MRL_OK);
    // a 7×7 maze in 176 px: 25 px cells, offset 0; the goal cell (3, 1) is red
    size_t gp = ((size_t)(1 * 25 + 12) * w + (3 * 25 + 12)) * 3;
    assert_true(rgb[gp] == 235 && rgb[gp + 1] == 40);
    free(rgb);
    assert_int_equal(e.api->render_size(&w, &h, e.params, 7, e.err), MRL_EINVAL);
    env_close(&e);
}

// ---- oracle ----

// Independent forward BFS from a pose over the full lattice: fewest steps to
// touch the goal (-1 if unreachable).
static int brute_force_steps(const MazeTask* t, const MazeKin* kin, int32_t px, int32_t py,
                             int32_t h0) {
    int32_t side = t->size * kin->q;
    size_t n = (size_t)side * side * kin->n_head;
    int32_t* dist = malloc(n * sizeof *dist);
    int32_t* queue = malloc(n * sizeof *queue);
    for (size_t i = 0; i < n; i++) {
        dist[i] = -1;
    }
#define IDX(x, y, h) (((size_t)(y)*side + (size_t)(x)) * kin->n_head + (size_t)(h))
    size_t head = 0, tail = 0;
    dist[IDX(px, py, h0)] = 0;
    queue[tail++] = (int32_t)IDX(px, py, h0);
    int found = -1;
    while (head < tail && found < 0) {
        size_t p = (size_t)queue[head++];
        int32_t h = (int32_t)(p % kin->n_head);
        int32_t x = (int32_t)((p / kin->n_head) % side), y = (int32_t)(p / kin->n_head / side);
        for (int a = 0; a < 3 && found < 0; a++) {
            int32_t nx = x, ny = y, nh = h;
            if (a == MAZE_FORWARD) {
                if (maze_forward(t->grid, t->size, kin, x, y, h, &nx, &ny) == MAZE_REACHED) {
                    found = dist[p] + 1;
                    break;
                }
            } else {
                nh = maze_turn(kin, h, a);
            }
            size_t np = IDX(nx, ny, nh);
            if (dist[np] < 0) {
                dist[np] = dist[p] + 1;
                queue[tail++] = (int32_t)np;
            }
        }
    }
#undef IDX
    free(dist);
    free(queue);
    return found;
}

static double oracle_steps(Env* e, int* action) {
    MrlOracleInfo info = {sizeof(MrlOracleInfo), 0, 0.0, 0.0};
    float a = -1.0f;
    assert_int_equal(e->api->oracle(e->state, &info, &a, e->err), MRL_OK);
    assert_true(info.valid & MRL_ORACLE_STEPS);
    if (action) {
        assert_true(info.valid & MRL_ORACLE_ACTION);
        *action = (int)a;
    }
    return info.steps;
}

static void test_maze_oracle_needs_param(void** unused) {
    (void)unused;
    Env e;
    env_open(&e, NULL);
    env_sample(&e, 1);
    env_reset(&e);
    MrlOracleInfo info = {sizeof(MrlOracleInfo), 0, 0.0, 0.0};
    float a;
    assert_int_equal(e.api->oracle(e.state, &info, &a, e.err), MRL_ENOTSUP);
    assert_non_null(strstr(e.err, "oracle: true"));
    env_close(&e);
}

static void test_maze_oracle_path_is_exact(void** unused) {
    (void)unused;
    const char* cfgs[3][4] = {{"oracle=1", "rooms=3", NULL},
                              {"oracle=1", "rooms=5", NULL},
                              {"oracle=1", "mode=grid", "rooms=5", NULL}};
    for (int c = 0; c < 3; c++) {
        Env e;
        env_open(&e, cfgs[c]);
        for (int k = 0; k < 6; k++) {
            env_sample(&e, (uint64_t)k + 500);
            e.task->horizon = 100000;
            env_reset(&e);
            const MazeState* st = st_of(&e);
            int a;
            double steps = oracle_steps(&e, &a);
            assert_true(isfinite(steps) && steps >= 1);
            // an independent forward BFS agrees
            int bf = brute_force_steps(e.task, &st->kin, st->px, st->py, st->h);
            assert_int_equal((int)steps, bf);
            // following the oracle's action reaches the goal in exactly `steps`,
            // and the distance drops by one each step
            int n = 0;
            for (;;) {
                double before = oracle_steps(&e, &a);
                assert_int_equal((int)before, (int)steps - n);
                StepOut o = env_step(&e, a);
                n++;
                if (o.term) {
                    assert_int_equal(o.term, MRL_TERM_SUCCESS);
                    break;
                }
                assert_true(n < (int)steps);
            }
            assert_int_equal(n, (int)steps);
            assert_true(oracle_steps(&e, NULL) == 0.0);
            // a second episode of the same task reuses the tables (same answer)
            env_reset(&e);
            assert_true(oracle_steps(&e, NULL) == steps);
        }
        env_close(&e);
    }
}

static void test_maze_oracle_lower_bound_for_random_walks(void** unused) {
    (void)unused;
    const char* kv[] = {"oracle=1", NULL};
    Env e;
    env_open(&e, kv);
    MrlRng rng = {11, 13};
    int successes = 0;
    for (int k = 0; k < 30; k++) {
        env_sample(&e, (uint64_t)k + 900);
        for (int ep = 0; ep < 5; ep++) {
            env_reset(&e);
            double start = oracle_steps(&e, NULL);
            double prev = start;
            for (int t = 1;; t++) {
                StepOut o = env_step(&e, (int)mrl_rng_below(&rng, 3));
                if (o.term) {
                    assert_true((double)t >= start);
                    successes++;
                    break;
                }
                if (o.trunc) {
                    assert_true(oracle_steps(&e, NULL) == 0.0); // the episode has ended
                    break;
                }
                // one step brings the goal at most one step closer (it may
                // move it much further: forward moves cannot be undone)
                double d = oracle_steps(&e, NULL);
                assert_true(d >= prev - 1);
                prev = d;
            }
        }
    }
    assert_true(successes > 0);
    env_close(&e);
}

// ---- conformance ----

static void conform_with(const char* const* kv, int expect_oracle_skip) {
    const MrlEnvApi* api = load_api();
    double p[MAZE_N_PARAMS];
    params_default(api, p);
    params_set(api, p, kv);
    static MrlConformReport rep;
    int rc = mrl_conform_check(api, "maze", p, &rep);
    if (rc != MRL_OK) {
        mrl_conform_print(stderr, &rep, 1);
        fail_msg("conformance failed for %s %s %s", kv[0], kv[1] ? kv[1] : "",
                 kv[1] && kv[2] ? kv[2] : "");
    }
    const MrlConformCheck* o = mrl_conform_find(&rep, "oracle");
    assert_non_null(o);
    assert_int_equal(o->status, expect_oracle_skip ? MRL_CONFORM_SKIP : MRL_CONFORM_PASS);
    assert_int_equal(rep.n_failed, 0);
}

static void test_maze_conformance_every_obs_mode(void** unused) {
    (void)unused;
    const char* modes[] = {"obs=strip", "obs=pixels", "obs=local"};
    for (int m = 0; m < 3; m++) {
        const char* with_oracle[] = {modes[m], "oracle=1", NULL};
        conform_with(with_oracle, 0);
        const char* without[] = {modes[m], NULL};
        conform_with(without, 1); // the oracle is off: MRL_ENOTSUP, reported as SKIP
        const char* grid[] = {modes[m], "mode=grid", "oracle=1", NULL};
        conform_with(grid, 0);
        const char* large[] = {modes[m], "rooms=5", "horizon=1000", NULL};
        conform_with(large, 1);
    }
    const char* reference[] = {"obs=pixels", "renderer=reference", NULL};
    conform_with(reference, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maze_params_table),
        cmocka_unit_test(test_maze_describe_spaces),
        cmocka_unit_test(test_maze_describe_rejects_bad_params),
        cmocka_unit_test(test_maze_generation_perfect),
        cmocka_unit_test(test_maze_generation_deterministic),
        cmocka_unit_test(test_maze_fingerprints_match_content),
        cmocka_unit_test(test_maze_config_sets_disjoint),
        cmocka_unit_test(test_maze_div_q_exact),
        cmocka_unit_test(test_maze_random_walk_never_in_wall),
        cmocka_unit_test(test_maze_bump_penalty_and_slide),
        cmocka_unit_test(test_maze_goal_terminates),
        cmocka_unit_test(test_maze_horizon_truncates),
        cmocka_unit_test(test_maze_bad_action_and_order),
        cmocka_unit_test(test_maze_grid_mode_moves_one_cell),
        cmocka_unit_test(test_maze_raycast_hand_scene_wall),
        cmocka_unit_test(test_maze_raycast_goal_visible_and_hidden),
        cmocka_unit_test(test_maze_raycast_pixels_hand_scene),
        cmocka_unit_test(test_maze_raycast_fast_matches_reference),
        cmocka_unit_test(test_maze_local_view),
        cmocka_unit_test(test_maze_render),
        cmocka_unit_test(test_maze_oracle_needs_param),
        cmocka_unit_test(test_maze_oracle_path_is_exact),
        cmocka_unit_test(test_maze_oracle_lower_bound_for_random_walks),
        cmocka_unit_test(test_maze_conformance_every_obs_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
