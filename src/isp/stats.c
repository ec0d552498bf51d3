// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 3A statistics on the working raw before white balance: per-zone R/G/B
 * sums over 2x2 cells, clipped-cell counts, a luma histogram (of the cells
 * whose column and row are even: a quarter, as hardware ISPs subsample
 * theirs; docs/isp.md says why), and the block grid (sums, logs, clip
 * flags) for the local-contrast AWB estimators. AE and AWB read these and
 * never touch pixels.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

LUMEN_STATS_SPAN_FN(lumen_stats_span_c)
{
	uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, clip = 0;

	for (int i = 0; i < cells; i++) {
		const uint32_t a = r0[2 * i], b = r0[2 * i + 1];
		const uint32_t c = r1[2 * i], d = r1[2 * i + 1];
		const uint32_t ab = a > b ? a : b, cd = c > d ? c : d;

		s0 += a;
		s1 += b;
		s2 += c;
		s3 += d;
		clip += (ab > cd ? ab : cd) >= LUMEN_STATS_CLIP;
	}
	sum[0] += s0;
	sum[1] += s1;
	sum[2] += s2;
	sum[3] += s3;
	*clipped += clip;
	if (!hist)
		return;
	for (int i = first; i < cells; i += 2) {
		/* luma (R + 2G + B) / 4 in 256 bins over 0..WORK_MAX is the
		 * sum of the cell's four samples over 256 */
		const uint32_t bin = ((uint32_t)r0[2 * i] + r0[2 * i + 1] + r1[2 * i] +
				      r1[2 * i + 1]) >> 8;

		/* four histograms, so that equal neighbours do not wait on
		 * each other's increment */
		hist[(i >> 1) & 3][bin < LUMEN_STATS_HIST_BINS ? bin :
				   LUMEN_STATS_HIST_BINS - 1]++;
	}
}

/*
 * The block grid. Vertical pass first: each row of a strip of whole blocks
 * adds its samples, and each sample's absolute differences to its
 * same-channel neighbours right (x + 2) and below (y + 2), to column sums
 * (even and odd rows apart, so the four CFA positions stay apart), and its
 * value to column maxima: plain loops of a fixed width that the compiler
 * vectorises. Then each block's columns are reduced. Column strips keep the
 * accumulators small and on the stack.
 */
#define GRID_STRIP 1024	/* samples per strip */

static inline uint32_t absdiff(uint16_t a, uint16_t b)
{
	return a > b ? (uint32_t)(a - b) : (uint32_t)(b - a);
}

/* The C reference of the grid's vertical pass (isp_dsp.h). */
LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_c)
{
	int i = 0;

	/* blocks of 16 the compiler vectorises (SSE2, NEON) */
	for (; i + 16 <= n; i += 16)
		for (int k = 0; k < 16; k++) {
			const uint16_t v = row[i + k];

			acc[i + k] += v;
			edge[i + k] += absdiff(v, right[i + k]) + absdiff(v, below[i + k]);
			mx[i + k] = v > mx[i + k] ? v : mx[i + k];
		}
	for (; i < n; i++) {
		const uint16_t v = row[i];

		acc[i] += v;
		edge[i] += absdiff(v, right[i]) + absdiff(v, below[i]);
		mx[i] = v > mx[i] ? v : mx[i];
	}
}

/* The C reference of the two-row pass (isp_dsp.h). */
LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_c)
{
	int i = 0;

	/* blocks of 16 the compiler vectorises (SSE2, NEON) */
	for (; i + 16 <= n; i += 16)
		for (int k = 0; k < 16; k++) {
			const uint16_t u = a[i + k], v = c[i + k];
			const uint16_t m = u > v ? u : v;

			acc[i + k] += (uint32_t)u + v;
			edge[i + k] += absdiff(u, a[i + k + 2]) + absdiff(u, v) +
				       absdiff(v, c[i + k + 2]) + absdiff(v, d[i + k]);
			mx[i + k] = m > mx[i + k] ? m : mx[i + k];
		}
	for (; i < n; i++) {
		uint16_t u = a[i];
		const uint16_t v = c[i];

		acc[i] += (uint32_t)u + v;
		edge[i] += absdiff(u, a[i + 2]) + absdiff(u, v) + absdiff(v, c[i + 2]) +
			   absdiff(v, d[i]);
		u = u > v ? u : v;
		mx[i] = u > mx[i] ? u : mx[i];
	}
}

/* Sets the grid's size in @st; false when the frame has no whole block. */
static bool grid_setup(const struct lumen_frame *work, struct lumen_stats_grid *g,
		       struct lumen_isp_stats *st)
{
	const int cw = work->width / 2, ch = work->height / 2;
	const int bx = (cw + LUMEN_STATS_GRID_MAX_W - 1) / LUMEN_STATS_GRID_MAX_W;
	const int by = (ch + LUMEN_STATS_GRID_MAX_H - 1) / LUMEN_STATS_GRID_MAX_H;

	g->b = bx > by ? bx : by;
	if (g->b < 1)
		g->b = 1;
	st->grid_w = st->grid_h = 0;
	st->grid_block = g->b;
	/* a block's G sums (2 b^2 samples, edges up to twice a sample) fit
	 * 32 bits up to b = 128 */
	if (g->b > 128 || cw / g->b < 1 || ch / g->b < 1)
		return false;
	g->gw = cw / g->b;
	g->gh = ch / g->b;
	st->grid_w = g->gw;
	st->grid_h = g->gh;
	return true;
}

/* Block row @by of the grid (its rows were just read by the zone pass, so
 * they are in cache). */
static void grid_row(const struct lumen_frame *work, const int chan[4],
		     const struct lumen_stats_grid *g, int by, const struct lumen_isp_dsp *dsp,
		     struct lumen_isp_stats *st)
{
	const int b = g->b, per_strip = GRID_STRIP / (2 * b);
	uint32_t acc[2][GRID_STRIP], edge[2][GRID_STRIP];
	uint16_t mx[GRID_STRIP];

	for (int bx0 = 0; bx0 < g->gw; bx0 += per_strip) {
		const int nb = g->gw - bx0 < per_strip ? g->gw - bx0 : per_strip;
		const int n = nb * 2 * b, x0 = 2 * b * bx0;
		/* the frame's last two columns have no right neighbour */
		const int nr = x0 + n + 2 <= work->width ? n : work->width - 2 - x0;

		for (int p = 0; p < 2; p++) {
			memset(acc[p], 0, sizeof(acc[p][0]) * (size_t)n);
			memset(edge[p], 0, sizeof(edge[p][0]) * (size_t)n);
		}
		memset(mx, 0, sizeof(mx[0]) * (size_t)n);
		/* per colour phase p, its b rows y, y + 2, ... in pairs */
		for (int p = 0; p < 2; p++)
			for (int j = 0; j < b; j += 2) {
				const int y = 2 * b * by + p + 2 * j;
				const uint16_t *row = (const uint16_t *)(const void *)
					(work->data[0] + (size_t)y * work->stride[0]) + x0;
				const uint16_t *row2 = (const uint16_t *)(const void *)
					((const uint8_t *)row + 2 * work->stride[0]);
				const int yl = j + 1 < b ? y + 2 : y;	/* the pair's last */
				/* below the last row: none past the frame (difference 0) */
				const uint16_t *last = yl == y ? row : row2;
				const uint16_t *below = yl + 2 < work->height ?
					(const uint16_t *)(const void *)
					((const uint8_t *)last + 2 * work->stride[0]) : last;

				if (j + 1 < b)
					dsp->stats_grid_rows2(row, row2, below, nr, acc[p],
							      edge[p], mx);
				else
					dsp->stats_grid_rows(row, row + 2, below, nr, acc[p],
							     edge[p], mx);
				/* the frame's last two columns: no right neighbour */
				for (int x = nr; x < n; x++)
					for (const uint16_t *q = row;; q = row2) {
						const uint16_t *qb = q == last ? below : row2;

						acc[p][x] += q[x];
						edge[p][x] += absdiff(q[x], qb[x]);
						mx[x] = q[x] > mx[x] ? q[x] : mx[x];
						if (q == last)
							break;
					}
			}
		for (int k = 0; k < nb; k++) {
			const int z = by * g->gw + bx0 + k;
			uint32_t pos[4] = { 0, 0, 0, 0 }, ed[4] = { 0, 0, 0, 0 };
			uint16_t m = 0;

			for (int x = 2 * b * k; x < 2 * b * (k + 1); x += 2) {
				for (int p = 0; p < 2; p++) {
					pos[2 * p] += acc[p][x];
					pos[2 * p + 1] += acc[p][x + 1];
					ed[2 * p] += edge[p][x];
					ed[2 * p + 1] += edge[p][x + 1];
				}
				m = mx[x] > m ? mx[x] : m;
				m = mx[x + 1] > m ? mx[x + 1] : m;
			}
			for (int c = 0; c < 3; c++)
				st->grid_sum[c][z] = st->grid_edge[c][z] = 0;
			for (int i = 0; i < 4; i++) {
				st->grid_sum[chan[i]][z] += pos[i];
				st->grid_edge[chan[i]][z] += ed[i];
			}
			st->grid_clipped[z] = m >= LUMEN_STATS_CLIP;
		}
	}
}

void lumen_stats_begin(struct lumen_stats_pass *sp, const struct lumen_frame *work,
		       struct lumen_isp_stats *st)
{
	const int cw = work->width / 2, ch = work->height / 2;
	int zx = st->zones_x, zy = st->zones_y;

	if (zx <= 0 || zy <= 0 || zx * zy > LUMEN_STATS_MAX_ZONES)
		zx = zy = 16;
	if (zx > cw)
		zx = cw > 0 ? cw : 1;
	if (zy > ch)
		zy = ch > 0 ? ch : 1;
	/* the grid is written whole by grid_row() */
	memset(st, 0, offsetof(struct lumen_isp_stats, grid_w));
	memset(sp->hist, 0, sizeof(sp->hist));
	sp->work = work;
	sp->st = st;
	st->zones_x = zx;
	st->zones_y = zy;
	for (int i = 0; i < 4; i++)
		sp->chan[i] = lumen_bayer_at(work->bayer, i & 1, i >> 1);
	/* cell cx is in zone column cx * zx / cw: the zone starts at the
	 * first cx reaching it */
	for (int z = 0; z <= zx; z++)
		sp->xb[z] = (int)(((long long)z * cw + zx - 1) / zx);
	sp->has_grid = grid_setup(work, &sp->grid, st);
	sp->sum = st->sum;
	sp->clipped = st->clipped;
}

void lumen_stats_part_begin(struct lumen_stats_part *pt,
			    const struct lumen_stats_pass *main)
{
	const size_t nz = (size_t)main->st->zones_x * (size_t)main->st->zones_y;

	pt->sp = *main;
	memset(pt->sp.hist, 0, sizeof(pt->sp.hist));
	for (int c = 0; c < 3; c++)
		memset(pt->sum[c], 0, nz * sizeof(pt->sum[c][0]));
	memset(pt->clipped, 0, nz * sizeof(pt->clipped[0]));
	pt->sp.sum = pt->sum;
	pt->sp.clipped = pt->clipped;
}

void lumen_stats_part_merge(struct lumen_stats_pass *main,
			    const struct lumen_stats_part *pt)
{
	const int nz = main->st->zones_x * main->st->zones_y;

	for (int z = 0; z < nz; z++) {
		for (int c = 0; c < 3; c++)
			main->sum[c][z] += pt->sum[c][z];
		main->clipped[z] += pt->clipped[z];
	}
	for (int j = 0; j < 4; j++)
		for (int b = 0; b < LUMEN_STATS_HIST_BINS; b++)
			main->hist[j][b] += pt->sp.hist[j][b];
}

void lumen_stats_rows(struct lumen_stats_pass *sp, const struct lumen_isp_dsp *dsp,
		      int cy0, int cy1)
{
	const struct lumen_frame *work = sp->work;
	struct lumen_isp_stats *st = sp->st;
	const int ch = work->height / 2, zx = st->zones_x, zy = st->zones_y;
	const struct lumen_stats_grid *grid = &sp->grid;
	const int *xb = sp->xb;

	for (int cy = cy0; cy < cy1; cy++) {
		const uint16_t *r0 = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)(2 * cy) * work->stride[0]);
		const uint16_t *r1 = (const uint16_t *)(const void *)
			((const uint8_t *)r0 + work->stride[0]);
		const int zrow = (int)((long long)cy * zy / ch) * zx;

		for (int z = 0; z < zx; z++) {
			uint32_t pos[4] = { 0, 0, 0, 0 };

			/* the histogram: cells whose column and row are even */
			dsp->stats_span(r0 + 2 * xb[z], r1 + 2 * xb[z],
					xb[z + 1] - xb[z], pos,
					&sp->clipped[zrow + z], cy & 1 ? NULL : sp->hist,
					xb[z] & 1);
			for (int i = 0; i < 4; i++)
				sp->sum[sp->chan[i]][zrow + z] += pos[i];
		}
		/* the block row just completed, while its rows are in cache */
		if (sp->has_grid && (cy + 1) % grid->b == 0 &&
		    (cy + 1) / grid->b <= grid->gh)
			grid_row(work, sp->chan, grid, (cy + 1) / grid->b - 1, dsp, st);
	}
}

int lumen_stats_rows_read(const struct lumen_stats_pass *sp, int cy)
{
	const int b = sp->grid.b;

	/* a block row not yet read (cells past the last whole one never are) */
	if (sp->has_grid && cy / b < sp->grid.gh)
		return 2 * b * (cy / b);
	return 2 * cy;
}

void lumen_stats_end(struct lumen_stats_pass *sp)
{
	struct lumen_isp_stats *st = sp->st;
	const int ch = sp->work->height / 2;
	const int zx = st->zones_x, zy = st->zones_y;

	/* every cell has one R, two G and one B sample */
	for (int zr = 0; zr < zy; zr++) {
		/* rows of zone row zr, as for columns */
		const int rows = (int)((((long long)(zr + 1) * ch + zy - 1) / zy) -
				       (((long long)zr * ch + zy - 1) / zy));

		for (int z = 0; z < zx; z++)
			for (int c = 0; c < 3; c++)
				st->count[c][zr * zx + z] = (uint32_t)rows *
					(uint32_t)(sp->xb[z + 1] - sp->xb[z]) * (c == 1 ? 2 : 1);
	}
	st->cells = 0;
	for (int b = 0; b < LUMEN_STATS_HIST_BINS; b++) {
		st->hist[b] = sp->hist[0][b] + sp->hist[1][b] + sp->hist[2][b] +
			      sp->hist[3][b];
		st->cells += st->hist[b];
	}
}

void lumen_stats_collect(const struct lumen_frame *work,
			 struct lumen_isp_stats *st)
{
	struct lumen_stats_pass sp;
	struct lumen_isp_dsp dsp;

	lumen_isp_dsp_init(&dsp);
	lumen_stats_begin(&sp, work, st);
	lumen_stats_rows(&sp, &dsp, 0, work->height / 2);
	lumen_stats_end(&sp);
}

static int stats_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (!p->stats)
		return 0;
	if (!isp->stats.zones_x)
		isp->stats.zones_x = isp->stats.zones_y = 16;
	lumen_stats_collect(&isp->raw, &isp->stats);
	return 0;
}

const struct lumen_isp_stage lumen_isp_stats_stage = {
	.name = "stats",
	.run = stats_run,
};
