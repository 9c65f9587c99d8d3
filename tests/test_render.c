// test_render.c — `metarl render` end to end: runs the built binary on the
// committed maze config and checks the text view on stdout and in the .txt
// file, and the two PNG files (size, chunk CRCs, the pixels decoded from the
// stored deflate blocks: palette colours and the goal block where the map
// says it is); and the one-line errors with exit status 2 for bad input.
//   ctest --test-dir build -R test_render
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metarl/png.h"
#include "metarl/util.h"
#include "support/run_metarl.h"

static char out_dir[256];

// Runs `metarl ARGS` and returns its exit status; stdout+stderr into *text.
static int run_metarl(const char* args, char** text) {
    return run_metarl_in(MRL_SOURCE_DIR, args, text);
}

static uint32_t be32(const uint8_t* p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

// Decodes a PNG written by mrl_png_encode (stored blocks only) into RGB.
static uint8_t* read_png(const char* path, int32_t* w, int32_t* h) {
    char err[MRL_MSG_MAX];
    char* data;
    size_t n;
    if (mrl_file_read(path, &data, &n, err) != MRL_OK) {
        fail_msg("%s", err);
    }
    const uint8_t* d = (const uint8_t*)data;
    assert_true(n > 33 && memcmp(d + 1, "PNG", 3) == 0);
    assert_memory_equal(d + 12, "IHDR", 4);
    *w = (int32_t)be32(d + 16);
    *h = (int32_t)be32(d + 20);
    size_t pos = 33; // after IHDR
    assert_int_equal(be32(d + 29), mrl_png_crc32(0, d + 12, 17));
    uint32_t len = be32(d + pos);
    assert_memory_equal(d + pos + 4, "IDAT", 4);
    assert_int_equal(be32(d + pos + 8 + len), mrl_png_crc32(0, d + pos + 4, 4 + (size_t)len));
    const uint8_t* z = d + pos + 8;
    size_t row = (size_t)*w * 3, raw_n = (row + 1) * (size_t)*h, got = 0, p = 2;
    uint8_t* raw = malloc(raw_n);
    for (int final = 0; !final;) {
        final = z[p] & 1;
        uint32_t bl = z[p + 1] | (uint32_t)z[p + 2] << 8;
        assert_true(got + bl <= raw_n);
        memcpy(raw + got, z + p + 5, bl);
        got += bl;
        p += 5 + bl;
    }
    assert_int_equal(got, raw_n);
    uint8_t* px = malloc(row * (size_t)*h);
    for (int32_t y = 0; y < *h; y++) {
        memcpy(px + (size_t)y * row, raw + (size_t)y * (row + 1) + 1, row);
    }
    free(raw);
    free(data);
    return px;
}

static int setup(void** state) {
    (void)state;
    snprintf(out_dir, sizeof out_dir, "%s/test_render_%d", MRL_BINARY_DIR, (int)getpid());
    return 0;
}

static int teardown(void** state) {
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_render_writes_text_and_pngs(void** state) {
    (void)state;
    char args[512], *text;
    snprintf(args, sizeof args, "render configs/maze_snail.yaml --set large --task 5 --out %s",
             out_dir);
    int rc = run_metarl(args, &text);
    if (rc != 0) {
        fail_msg("exit %d: %s", rc, text);
    }
    // the text view: an 11×11 grid with a frame, one goal, one agent arrow
    const char* grid = strchr(text, '\n') + 1;
    int goals = 0, agents = 0;
    for (int y = 0; y < 11; y++) {
        const char* line = grid + y * 12;
        assert_int_equal(line[11], '\n');
        assert_true(line[0] == '#' && line[10] == '#');
        for (int x = 0; x < 11; x++) {
            goals += line[x] == 'G';
            agents += strchr("><^v/\\", line[x]) != NULL;
            if (y == 0 || y == 10) {
                assert_int_equal(line[x], '#');
            }
        }
    }
    assert_int_equal(goals, 1);
    assert_int_equal(agents, 1);
    assert_non_null(strstr(text, "t=0/1000"));
    // the same picture in the .txt file
    char path[512], err[MRL_MSG_MAX];
    char* file;
    size_t n;
    snprintf(path, sizeof path, "%s/large_5.txt", out_dir);
    assert_int_equal(mrl_file_read(path, &file, &n, err), MRL_OK);
    assert_non_null(strstr(text, file));

    // first person: 40×30 scaled 8 times, only palette colours, 8×8 blocks
    int32_t w, h;
    snprintf(path, sizeof path, "%s/large_5_first_person.png", out_dir);
    uint8_t* px = read_png(path, &w, &h);
    assert_int_equal(w, 320);
    assert_int_equal(h, 240);
    static const uint8_t palette[6][3] = {{70, 70, 80},    {110, 95, 75}, {175, 175, 190},
                                          {125, 125, 140}, {235, 40, 40}, {185, 25, 25}};
    for (int32_t i = 0; i < w * h; i++) {
        int known = 0;
        for (int c = 0; c < 6; c++) {
            known |= memcmp(px + 3 * i, palette[c], 3) == 0;
        }
        assert_true(known);
        int32_t x = i % w, y = i / w;
        assert_memory_equal(px + 3 * i, px + 3 * ((y / 8 * 8) * w + x / 8 * 8), 3);
    }
    // each column: ceiling above, floor below, the wall span centred on the
    // horizon (row y is ceiling exactly when its mirror row is floor)
    for (int32_t x = 0; x < w; x++) {
        for (int32_t y = 0; y < h / 2; y++) {
            const uint8_t* up = px + 3 * (y * w + x);
            const uint8_t* down = px + 3 * ((h - 1 - y) * w + x);
            int ceiling = memcmp(up, palette[0], 3) == 0, floor = memcmp(down, palette[1], 3) == 0;
            assert_int_equal(ceiling, floor);
            if (!ceiling) {
                assert_memory_equal(up, down, 3);
            }
        }
    }
    free(px);

    // top down: 176×176 px, 11 cells of 16 px; the goal cell is red
    snprintf(path, sizeof path, "%s/large_5_top_down.png", out_dir);
    px = read_png(path, &w, &h);
    assert_int_equal(w, 176);
    int gx = -1, gy = -1;
    for (int y = 0; y < 11; y++) {
        for (int x = 0; x < 11; x++) {
            if (grid[y * 12 + x] == 'G') {
                gx = x;
                gy = y;
            }
        }
    }
    const uint8_t* centre = px + 3 * ((gy * 16 + 8) * w + gx * 16 + 8);
    assert_true(centre[0] == 235 && centre[1] == 40 && centre[2] == 40);
    free(px);
    free(file);
    free(text);
}

static void test_render_actions_move_the_agent(void** state) {
    (void)state;
    char args[512], *a, *b;
    snprintf(args, sizeof args, "render configs/maze_snail.yaml --task 2 --out %s", out_dir);
    assert_int_equal(run_metarl(args, &a), 0);
    snprintf(args, sizeof args,
             "render configs/maze_snail.yaml --task 2 --actions 0,0,0,1,1,1 --out %s", out_dir);
    assert_int_equal(run_metarl(args, &b), 0);
    // three lefts and three rights: same pose, six steps later
    assert_non_null(strstr(b, "t=6/250"));
    const char* pa = strstr(a, "heading=");
    const char* pb = strstr(b, "heading=");
    assert_true(pa && pb && strncmp(pa, pb, 16) == 0);
    free(a);
    free(b);
}

static void test_render_bad_input(void** state) {
    (void)state;
    char* text;
    assert_int_equal(run_metarl("render configs/maze_snail.yaml --set nope", &text), 2);
    assert_non_null(strstr(text, "no task set 'nope'"));
    assert_non_null(strstr(text, "large"));
    free(text);
    assert_int_equal(run_metarl("render configs/maze_snail.yaml --task 1000", &text), 2);
    assert_non_null(strstr(text, "has 1000 tasks"));
    free(text);
    assert_int_equal(run_metarl("render configs/maze_snail.yaml --actions 2,x", &text), 2);
    assert_non_null(strstr(text, "--actions"));
    free(text);
    assert_int_equal(run_metarl("render configs/maze_snail.yaml --actions 7", &text), 2);
    assert_non_null(strstr(text, "action 7"));
    free(text);
    assert_int_equal(run_metarl("render configs/maze_snail.yaml env.params.room=3", &text), 2);
    assert_non_null(strstr(text, "did you mean 'rooms'"));
    free(text);
    assert_int_equal(run_metarl("render", &text), 2);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_writes_text_and_pngs),
        cmocka_unit_test(test_render_actions_move_the_agent),
        cmocka_unit_test(test_render_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
