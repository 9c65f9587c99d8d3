// oracle.c — the maze plugin's privileged oracle: fewest steps from any pose
// to success under the env's own kinematics, and an optimal action.
//
// The env is a finite deterministic graph: positions are lattice points,
// headings are multiples of the turn angle, and maze_forward (maze.h) is the
// only motion rule. `maze_oracle_build` runs one backward BFS over that graph
// from the poses whose forward move touches the goal, into tables inside the
// state block (no allocation): dist[pose] = fewest steps to success, counting
// the goal-touching step. Predecessors are found without storing edges:
// turning is reversible, and a forward move displaces by D, (Dx, 0) or
// (0, Dy), so the candidates for reaching pose q are q - D, q - (Dx, 0),
// q - (0, Dy), each confirmed by running maze_forward.
//
// Pose index: ((free_cell_index * q + sub_y) * q + sub_x) * n_head + h, over
// the free cells of the task (the goal cell excluded).
#include <string.h>

#include "maze_internal.h"
#include "metarl/plugin.h"

#define DIST_UNSET 0xffffu
#define DIST_CAP 0xfffeu

static int32_t* cell_index(const MazeState* st) {
    return (int32_t*)((uint8_t*)st + st->off_cellidx);
}

// the (x, y) of each free cell, after the index map
static int32_t* cell_list(const MazeState* st) {
    size_t n = (size_t)(2 * st->max_rooms + 1) * (size_t)(2 * st->max_rooms + 1);
    return cell_index(st) + n;
}

static uint16_t* dist_table(const MazeState* st) {
    return (uint16_t*)((uint8_t*)st + st->off_dist);
}

// Returns the pose index of (px, py, h), or -1 if the position is not in a
// free cell.
static int64_t pose_index(const MazeState* st, int32_t px, int32_t py, int32_t h) {
    int32_t q = st->kin.q;
    int32_t size = st->task->size;
    if (px < 0 || py < 0 || px >= size * q || py >= size * q) {
        return -1;
    }
    int32_t cx = maze_div_q(&st->kin, px), cy = maze_div_q(&st->kin, py);
    int32_t k = cell_index(st)[cy * size + cx];
    if (k < 0) {
        return -1;
    }
    return (((int64_t)k * q + (py - cy * q)) * q + (px - cx * q)) * st->kin.n_head + h;
}

uint64_t maze_task_hash(const MazeTask* task, int32_t n_head) {
    // FNV-1a over the meaningful fields, then a splitmix64 finaliser
    uint64_t h = 1469598103934665603ull;
    int32_t head[9] = {task->rooms,   task->size,   task->horizon, task->heading, task->start_x,
                       task->start_y, task->goal_x, task->goal_y,  n_head};
    double rew[3] = {task->goal_reward, task->wall_penalty, task->step_penalty};
    const uint8_t* parts[3] = {(const uint8_t*)head, (const uint8_t*)rew, task->grid};
    size_t lens[3] = {sizeof head, sizeof rew, (size_t)task->size * (size_t)task->size};
    for (int p = 0; p < 3; p++) {
        for (size_t i = 0; i < lens[p]; i++) {
            h ^= parts[p][i];
            h *= 1099511628211ull;
        }
    }
    h += 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

int maze_oracle_build(MazeState* st) {
    const MazeTask* task = st->task;
    const MazeKin* kin = &st->kin;
    const uint8_t* grid = task->grid;
    int32_t size = task->size, q = kin->q, nh = kin->n_head;
    int32_t* idx = cell_index(st);
    int32_t* list = cell_list(st);

    // index the free cells
    int32_t n_free = 0;
    for (int32_t c = 0; c < size * size; c++) {
        if (grid[c] == MAZE_FREE) {
            list[2 * n_free] = c % size;
            list[2 * n_free + 1] = c / size;
            idx[c] = n_free++;
        } else {
            idx[c] = -1;
        }
    }
    uint64_t n_pose = (uint64_t)n_free * (uint64_t)q * (uint64_t)q * (uint64_t)nh;
    if (n_pose > st->n_pose_max) {
        return MRL_EPLUGIN;
    }
    st->n_pose = n_pose;
    uint16_t* dist = dist_table(st);
    uint32_t* queue = (uint32_t*)((uint8_t*)st + st->off_queue);
    memset(dist, 0xff, (size_t)n_pose * sizeof(uint16_t));
    size_t head = 0, tail = 0;

    // seeds: poses next to the goal whose forward move touches it (distance 1)
    static const int32_t nb[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    for (int n = 0; n < 4; n++) {
        int32_t cx = task->goal_x + nb[n][0], cy = task->goal_y + nb[n][1];
        if (maze_cell(task, cx, cy) != MAZE_FREE) {
            continue;
        }
        for (int32_t sy = 0; sy < q; sy++) {
            for (int32_t sx = 0; sx < q; sx++) {
                int32_t px = cx * q + sx, py = cy * q + sy;
                if (maze_box_hits(grid, size, kin, px, py) != 0) {
                    continue;
                }
                for (int32_t h = 0; h < nh; h++) {
                    int32_t nx, ny;
                    if (maze_forward(grid, size, kin, px, py, h, &nx, &ny) == MAZE_REACHED) {
                        int64_t p = pose_index(st, px, py, h);
                        dist[p] = 1;
                        queue[tail++] = (uint32_t)p;
                    }
                }
            }
        }
    }

    // backward BFS
    while (head < tail) {
        uint32_t p = queue[head++];
        uint16_t d = dist[p];
        if (d >= DIST_CAP) {
            continue;
        }
        uint16_t nd = (uint16_t)(d + 1);
        int32_t h = (int32_t)(p % (uint32_t)nh);
        uint32_t rest = p / (uint32_t)nh;
        int32_t sx = (int32_t)(rest % (uint32_t)q);
        rest /= (uint32_t)q;
        int32_t sy = (int32_t)(rest % (uint32_t)q);
        int32_t k = (int32_t)(rest / (uint32_t)q);
        int32_t px = list[2 * k] * q + sx, py = list[2 * k + 1] * q + sy;

        // turning left from h+1 or right from h-1 reaches h
        uint32_t base = p - (uint32_t)h;
        uint32_t from_left = base + (uint32_t)((h + 1) % nh);
        uint32_t from_right = base + (uint32_t)((h + nh - 1) % nh);
        if (dist[from_left] == DIST_UNSET) {
            dist[from_left] = nd;
            queue[tail++] = from_left;
        }
        if (dist[from_right] == DIST_UNSET) {
            dist[from_right] = nd;
            queue[tail++] = from_right;
        }

        // forward moves with heading h that land on (px, py)
        int32_t dx = kin->d[h][0], dy = kin->d[h][1];
        int32_t cand[3][2] = {{dx, dy}, {dx, 0}, {0, dy}};
        int n_cand = (dx != 0 && dy != 0) ? 3 : 1;
        for (int c = 0; c < n_cand; c++) {
            int32_t ax = px - cand[c][0], ay = py - cand[c][1];
            int64_t a = pose_index(st, ax, ay, h);
            if (a < 0 || dist[a] != DIST_UNSET) {
                continue;
            }
            if (maze_box_hits(grid, size, kin, ax, ay) != 0) {
                continue;
            }
            int32_t nx, ny;
            int out = maze_forward(grid, size, kin, ax, ay, h, &nx, &ny);
            if ((out == MAZE_MOVED || out == MAZE_SLID) && nx == px && ny == py) {
                dist[a] = nd;
                queue[tail++] = (uint32_t)a;
            }
        }
    }
    return MRL_OK;
}

// fewest steps to success from a pose, -1 if unknown or unreachable
static int64_t pose_dist(const MazeState* st, int32_t px, int32_t py, int32_t h) {
    int64_t p = pose_index(st, px, py, h);
    if (p < 0) {
        return -1;
    }
    uint16_t d = dist_table(st)[p];
    return d == DIST_UNSET ? -1 : (int64_t)d;
}

int64_t maze_oracle_query(const MazeState* st, int32_t px, int32_t py, int32_t h, int* action) {
    const MazeTask* task = st->task;
    const MazeKin* kin = &st->kin;
    int64_t here = pose_dist(st, px, py, h);
    // candidates in tie-break order: forward, left, right
    int64_t best = -1;
    int best_a = MAZE_FORWARD;
    int32_t nx, ny;
    int out = maze_forward(task->grid, task->size, kin, px, py, h, &nx, &ny);
    if (out == MAZE_REACHED) {
        best = 1;
    } else if (out != MAZE_BLOCKED) {
        int64_t d = pose_dist(st, nx, ny, h);
        if (d >= 0) {
            best = d + 1;
        }
    }
    static const int turns[2] = {MAZE_LEFT, MAZE_RIGHT};
    for (int i = 0; i < 2; i++) {
        int64_t d = pose_dist(st, px, py, maze_turn(kin, h, turns[i]));
        if (d >= 0 && (best < 0 || d + 1 < best)) {
            best = d + 1;
            best_a = turns[i];
        }
    }
    *action = best_a;
    return here >= 0 ? here : best;
}
