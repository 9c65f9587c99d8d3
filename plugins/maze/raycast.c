// raycast.c — the maze plugin's first-person views: a grid DDA raycaster
// driven by per-heading ray tables (the fast path used by `step`), a
// brute-force reference raycaster (every non-free cell intersected with each
// ray in double precision), and the writers of the `strip` and `pixels`
// observations (a fast span-filling one and a per-pixel reference).
// tests/test_maze.c checks the fast path against the reference and both
// against hand-computed scenes (parameter renderer=reference selects the
// reference path in a running env).
#include <float.h>
#include <math.h>
#include <string.h>

#include "maze_internal.h"

// ---- colours ----

static const uint8_t rgb_ceiling[3] = {MAZE_RGB_CEILING};
static const uint8_t rgb_floor[3] = {MAZE_RGB_FLOOR};
static const uint8_t rgb_hit[2][2][3] = {
    {{MAZE_RGB_WALL_X}, {MAZE_RGB_WALL_Y}}, // MAZE_WALL: side 0, side 1
    {{MAZE_RGB_GOAL_X}, {MAZE_RGB_GOAL_Y}}, // MAZE_GOAL
};

static float to_unit(uint8_t c) {
    return (float)c / 127.5f - 1.0f;
}

// ---- ray tables ----

void maze_rays_init(MazeRay* rays, int32_t n_head, int32_t n_cols, double fov) {
    const double pi = 3.14159265358979323846;
    double half = tan(0.5 * fov);
    for (int32_t h = 0; h < n_head; h++) {
        double th = 2.0 * pi * (double)h / (double)n_head;
        double dirx = cos(th), diry = sin(th);
        double plx = -diry * half, ply = dirx * half; // camera plane points to the right
        for (int32_t i = 0; i < n_cols; i++) {
            double cam = 2.0 * ((double)i + 0.5) / (double)n_cols - 1.0 + MAZE_CAM_JITTER;
            double dx = dirx + plx * cam, dy = diry + ply * cam;
            // an exactly axis-parallel ray would make the DDA divide by zero
            if (fabs(dx) < 1e-7) {
                dx = 1e-7;
            }
            if (fabs(dy) < 1e-7) {
                dy = 1e-7;
            }
            MazeRay* r = &rays[(size_t)h * (size_t)n_cols + (size_t)i];
            double ddx = fabs(1.0 / dx), ddy = fabs(1.0 / dy);
            r->ddx = (float)ddx;
            r->ddy = (float)ddy;
            // distance to the first x boundary: fx * ddx going west,
            // (1 - fx) * ddx going east
            r->sx0 = dx < 0.0 ? 0.0f : (float)ddx;
            r->sx1 = dx < 0.0 ? (float)ddx : (float)-ddx;
            r->sy0 = dy < 0.0 ? 0.0f : (float)ddy;
            r->sy1 = dy < 0.0 ? (float)ddy : (float)-ddy;
            r->step_x = dx < 0.0 ? -1 : 1;
            r->step_y = dy < 0.0 ? -1 : 1;
        }
    }
}

// ---- fast DDA ----

// One ray through the grid from cell `cell`: returns the perpendicular
// distance to the first non-free cell and writes that cell and the side of
// the face that was crossed.
static inline float dda(const uint8_t* grid, const MazeRay* r, int32_t size, int32_t cell, float fx,
                        float fy, int32_t* hit_cell, int32_t* hit_side) {
    float sdx = r->sx0 + r->sx1 * fx;
    float sdy = r->sy0 + r->sy1 * fy;
    float ddx = r->ddx, ddy = r->ddy;
    int32_t sx = r->step_x, sy = r->step_y * size;
    // the maze is enclosed by walls, so every ray stops
    for (;;) {
        if (sdx < sdy) {
            cell += sx;
            if (grid[cell] != MAZE_FREE) {
                *hit_cell = cell;
                *hit_side = 0;
                return sdx;
            }
            sdx += ddx;
        } else {
            cell += sy;
            if (grid[cell] != MAZE_FREE) {
                *hit_cell = cell;
                *hit_side = 1;
                return sdy;
            }
            sdy += ddy;
        }
    }
}

void maze_cast_fast(MazeHit* hits, const MazeTask* task, const MazeRay* rays, int32_t n_cols,
                    const MazeKin* kin, int32_t px, int32_t py) {
    const uint8_t* grid = task->grid;
    int32_t size = task->size, q = kin->q;
    int32_t cx = maze_div_q(kin, px), cy = maze_div_q(kin, py);
    float inv_q = 1.0f / (float)q;
    float fx = (float)(px - cx * q) * inv_q; // position inside the cell, [0, 1)
    float fy = (float)(py - cy * q) * inv_q;
    int32_t cell0 = cy * size + cx;
    for (int32_t i = 0; i < n_cols; i++) {
        int32_t cell, side;
        hits[i].perp = dda(grid, &rays[i], size, cell0, fx, fy, &cell, &side);
        hits[i].type = grid[cell];
        hits[i].side = side;
        hits[i].cell = cell;
    }
}

void maze_strip_fast(float* obs, const MazeTask* task, const MazeRay* rays, int32_t n_cols,
                     const MazeKin* kin, int32_t px, int32_t py) {
    const uint8_t* grid = task->grid;
    int32_t size = task->size, q = kin->q;
    int32_t cx = maze_div_q(kin, px), cy = maze_div_q(kin, py);
    float inv_q = 1.0f / (float)q;
    float fx = (float)(px - cx * q) * inv_q;
    float fy = (float)(py - cy * q) * inv_q;
    int32_t cell0 = cy * size + cx;
    for (int32_t i = 0; i < n_cols; i++) {
        int32_t cell, side;
        float perp = dda(grid, &rays[i], size, cell0, fx, fy, &cell, &side);
        float* o = obs + (size_t)i * 3;
        o[0] = grid[cell] == MAZE_GOAL ? 1.0f : 0.0f;
        o[1] = side ? 1.0f : 0.0f;
        o[2] = 1.0f / (1.0f + perp);
    }
}

// ---- reference: every non-free cell against every ray ----

// Intersects the ray o + t*d (t >= 0) with the unit box at (bx, by). Returns
// 1 and the entry distance and side if it hits.
static int ray_box(double ox, double oy, double dx, double dy, int32_t bx, int32_t by, double* t,
                   int32_t* side) {
    double tx0, tx1, ty0, ty1;
    if (dx != 0.0) {
        double a = ((double)bx - ox) / dx, b = ((double)bx + 1.0 - ox) / dx;
        tx0 = fmin(a, b);
        tx1 = fmax(a, b);
    } else if (ox > bx && ox < bx + 1.0) {
        tx0 = -INFINITY;
        tx1 = INFINITY;
    } else {
        return 0;
    }
    if (dy != 0.0) {
        double a = ((double)by - oy) / dy, b = ((double)by + 1.0 - oy) / dy;
        ty0 = fmin(a, b);
        ty1 = fmax(a, b);
    } else if (oy > by && oy < by + 1.0) {
        ty0 = -INFINITY;
        ty1 = INFINITY;
    } else {
        return 0;
    }
    double t_near = fmax(tx0, ty0), t_far = fmin(tx1, ty1);
    // a ray that only touches an edge or corner (zero length inside) misses
    if (t_near >= t_far || t_near < 0.0) {
        return 0;
    }
    *t = t_near;
    *side = tx0 > ty0 ? 0 : 1;
    return 1;
}

void maze_cast_reference(MazeHit* hits, const MazeTask* task, double x, double y, double theta,
                         double fov, int32_t n_cols) {
    double half = tan(0.5 * fov);
    double dirx = cos(theta), diry = sin(theta);
    for (int32_t i = 0; i < n_cols; i++) {
        double cam = 2.0 * ((double)i + 0.5) / (double)n_cols - 1.0 + MAZE_CAM_JITTER;
        double dx = dirx - diry * half * cam, dy = diry + dirx * half * cam;
        double best = INFINITY;
        MazeHit hit = {0.0f, MAZE_WALL, 0, 0};
        for (int32_t by = 0; by < task->size; by++) {
            for (int32_t bx = 0; bx < task->size; bx++) {
                int32_t c = by * task->size + bx;
                if (task->grid[c] == MAZE_FREE) {
                    continue;
                }
                double t;
                int32_t side;
                if (ray_box(x, y, dx, dy, bx, by, &t, &side) && t < best) {
                    best = t;
                    hit.type = task->grid[c];
                    hit.side = side;
                    hit.cell = c;
                }
            }
        }
        hit.perp = (float)best;
        hits[i] = hit;
    }
}

// ---- observation writers ----

void maze_strip_write(float* obs, const MazeHit* hits, int32_t n_cols) {
    for (int32_t i = 0; i < n_cols; i++) {
        float* o = obs + (size_t)i * 3;
        o[0] = hits[i].type == MAZE_GOAL ? 1.0f : 0.0f;
        o[1] = (float)hits[i].side;
        o[2] = 1.0f / (1.0f + hits[i].perp);
    }
}

void maze_background(float* bg, int32_t width, int32_t height) {
    for (int32_t y = 0; y < height; y++) {
        const uint8_t* c = 2 * y + 1 < height ? rgb_ceiling : rgb_floor; // y + 0.5 < H/2
        for (int32_t x = 0; x < width; x++) {
            float* o = bg + ((size_t)y * (size_t)width + (size_t)x) * 3;
            o[0] = to_unit(c[0]);
            o[1] = to_unit(c[1]);
            o[2] = to_unit(c[2]);
        }
    }
}

double maze_focal(int32_t width, double fov) {
    return 0.5 * width / tan(0.5 * fov);
}

void maze_pixels_fast(float* obs, const MazeHit* hits, const float* bg, int32_t width,
                      int32_t height, float focal) {
    memcpy(obs, bg, (size_t)width * (size_t)height * 3 * sizeof(float));
    float mid = 0.5f * (float)height;
    size_t row = (size_t)width * 3;
    for (int32_t x = 0; x < width; x++) {
        float hh = 0.5f * focal / hits[x].perp; // half the wall's height on screen, pixels
        int32_t top = 0, bot = height;
        if (hh < mid) {
            // rows y with |y + 0.5 - H/2| < hh
            top = (int32_t)floorf(mid - hh - 0.5f) + 1;
            bot = (int32_t)ceilf(mid + hh - 0.5f);
        }
        const uint8_t* c = rgb_hit[hits[x].type == MAZE_GOAL][hits[x].side];
        float r = to_unit(c[0]), g = to_unit(c[1]), b = to_unit(c[2]);
        float* o = obs + (size_t)top * row + (size_t)x * 3;
        for (int32_t y = top; y < bot; y++, o += row) {
            o[0] = r;
            o[1] = g;
            o[2] = b;
        }
    }
}

void maze_pixels_reference(float* obs, const MazeHit* hits, int32_t width, int32_t height,
                           double fov) {
    double focal = maze_focal(width, fov);
    for (int32_t y = 0; y < height; y++) {
        for (int32_t x = 0; x < width; x++) {
            double hh = 0.5 * focal / (double)hits[x].perp;
            double dy = (double)y + 0.5 - 0.5 * (double)height;
            const uint8_t* c;
            if (fabs(dy) < hh) {
                c = rgb_hit[hits[x].type == MAZE_GOAL][hits[x].side];
            } else if (dy < 0.0) {
                c = rgb_ceiling;
            } else {
                c = rgb_floor;
            }
            float* o = obs + ((size_t)y * (size_t)width + (size_t)x) * 3;
            o[0] = to_unit(c[0]);
            o[1] = to_unit(c[1]);
            o[2] = to_unit(c[2]);
        }
    }
}
