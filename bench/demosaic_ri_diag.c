/* diag: per-channel / per-site PSNR of ri, optional true green */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/rgb_read.h"
#include "isp/demosaic.h"
#include "isp/demosaic_dsp.h"
#include "isp/demosaic_ri.h"
static const struct lumen_frame *dg_img; static int dg_tile, dg_tw=192, dg_th=192, dg_trueg;
static void dg_hook(struct lumen_ri_tile *t);
#define RI_DIAG_AFTER_GREEN(t) dg_hook(t)
#define lumen_demosaic_ri_tile_c dg_tile_c
#define lumen_demosaic_ri_tiled dg_tiled
#define lumen_demosaic_ri dg_ri
#define lumen_demosaic_ri_scratch_size dg_ss
#define lumen_demosaic_ri_scratch_size_for_tile dg_ssft
#include "isp/demosaic_ri.c"
static void dg_hook(struct lumen_ri_tile *t)
{
	if (!dg_trueg) return;
	int W = dg_img->width, H = dg_img->height;
	int ntx = (W + dg_tw - 1) / dg_tw;
	int x0 = (dg_tile % ntx) * dg_tw, y0 = (dg_tile / ntx) * dg_th;
	for (int y = 0; y < t->h; y++) {
		int sy = lumen_demosaic_mirror(y0 - LUMEN_RI_MARGIN + y, H);
		for (int x = 0; x < t->w; x++) {
			int sx = lumen_demosaic_mirror(x0 - LUMEN_RI_MARGIN + x, W);
			unsigned v = dg_img->data[0][(size_t)sy * dg_img->stride[0] + 3 * sx + 1];
			t->p[LUMEN_RI_GREEN][(size_t)y * t->w + x] = (float)((v * LUMEN_WORK_MAX + 127) / 255) / (float)LUMEN_WORK_MAX;
		}
	}
}
static void dg_count(struct lumen_ri_tile *t) { dg_tile_c(t); dg_tile++; }
int main(int argc, char **argv)
{
	const char *data = argv[1]; dg_trueg = argc > 2 && atoi(argv[2]);
	const char *sets[2] = {"kodak/kodim%02d.png", "mcmaster/%d.tif"}; int cnt[2] = {24, 18};
	for (int s = 0; s < 2; s++) {
		double acc[2][3][4] = {{{0}}}; /* half, channel, site (R,Gr,Gb,B as CFA ch) -> mean psnr over images of mse */
		double cps[2] = {0}; int nh[2] = {0};
		for (int k = 1; k <= cnt[s]; k++) {
			char f[64], p[512]; snprintf(f, 64, sets[s], k); snprintf(p, 512, "%s/%s", data, f);
			struct lumen_frame img, raw, rgb; lumen_rgb_read(p, &img);
			lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, img.width, img.height);
			lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, img.width, img.height);
			size_t ss = dg_ss(img.width, img.height); void *sc = malloc(ss);
			double se[3][4] = {{0}}; double n[4] = {0}; double setot = 0, ntot = 0;
			for (int o = 0; o < 4; o++) {
				raw.bayer = o; raw.bits = LUMEN_WORK_BITS; raw.white = LUMEN_WORK_MAX;
				for (int y = 0; y < img.height; y++) for (int x = 0; x < img.width; x++) {
					unsigned v = img.data[0][(size_t)y*img.stride[0] + 3*x + lumen_bayer_at(o, x, y)];
					((uint16_t *)(void *)(raw.data[0] + (size_t)y*raw.stride[0]))[x] = (uint16_t)((v*LUMEN_WORK_MAX+127)/255);
				}
				struct lumen_demosaic_dsp dsp; memset(&dsp, 0, sizeof dsp); dsp.ri_tile = dg_count; dg_img = &img; dg_tile = 0;
				dg_tiled(&dsp, ri_tile_side(img.width, 192), ri_tile_side(img.height, 192), &raw, &rgb, sc, ss);
				for (int y = 10; y < img.height - 10; y++) for (int x = 10; x < img.width - 10; x++) {
					int site = lumen_bayer_at(o, x, y); int st = site == 1 ? (lumen_bayer_at(o, x^1, y) == 0 ? 1 : 2) : (site == 0 ? 0 : 3);
					n[st]++;
					for (int c = 0; c < 3; c++) {
						int v = (int)((((uint16_t *)(void *)(rgb.data[c] + (size_t)y*rgb.stride[c]))[x]*255u + LUMEN_WORK_MAX/2)/LUMEN_WORK_MAX);
						int e = v - img.data[0][(size_t)y*img.stride[0] + 3*x + c];
						se[c][st] += e*e; setot += e*e; ntot++;
					}
				}
			}
			int h = k % 2 ? 0 : 1; nh[h]++;
			cps[h] += 10*log10(255.0*255*ntot/setot);
			for (int c = 0; c < 3; c++) for (int st = 0; st < 4; st++) if (se[c][st] > 0) acc[h][c][st] += 10*log10(255.0*255*n[st]/se[c][st]);
			free(sc); lumen_frame_free(&img); lumen_frame_free(&raw); lumen_frame_free(&rgb);
		}
		for (int h = 0; h < 2; h++) {
			printf("%s %s cpsnr %.3f |", s ? "mcm" : "kod", h ? "even" : "odd ", cps[h]/nh[h]);
			const char *cn = "RGB", *sn[4] = {"R","Gr","Gb","B"};
			for (int c = 0; c < 3; c++) { printf(" %c:", cn[c]); for (int st = 0; st < 4; st++) if (acc[h][c][st] > 0 && !((c==0&&st==0)||(c==2&&st==3)||(c==1&&(st==1||st==2)))) printf(" @%s %.2f", sn[st], acc[h][c][st]/nh[h]); }
			printf("\n");
		}
	}
	return 0;
}
