// SPDX-License-Identifier: GPL-2.0
/* plots/heatmap.*: the table as a heat map (scripts/plots/heatmap.gp
 * draws it): one row per metric of the table, one column per patch, the
 * colour the change in percent of the predecessor's value. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/walk/walk.h"
#include "lib/refbench.h"

int rb_walk_plots(const char *dir, const struct rb_walk *w)
{
	char path[PATH_MAX + 64], cell[32], why[PATH_MAX + 128];
	size_t row = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/heatmap.dat", dir);
	if (!(f = fopen(path, "we")))
		return -errno;
	fprintf(f, "# patch row pct_change(delta/a x 100; 0 within the bound) changed(0/1) "
		"\"metric\" \"cell as series.txt prints it\"\n");
	for (size_t i = 0; i < w->nrows; i++) {
		const struct rb_walk_row *r = w->rows[i];

		if (!r->changed && !r->unknown)
			continue;
		for (unsigned k = 0; k < w->nsteps; k++) {
			const struct rb_walk_cell *c = &r->cell[k];
			double pct = c->changed && c->a != 0 ? 100 * c->delta / fabs(c->a) : 0;

			if (!c->has)
				continue;
			fprintf(f, "%u %zu %.6g %d \"%s %s\" \"%s\"\n", k + 1, row, pct, c->changed, r->label,
				r->id.metric, rb_walk_cell_text(c, cell, sizeof(cell)));
		}
		row++;
	}
	if (fclose(f))
		return -errno;
	snprintf(path, sizeof(path), "dir='%s'; nrows=%zu; ncols=%u", dir, row, w->nsteps);
	if (w->o->plots && row && w->nsteps && rb_plot_gnuplot("heatmap.gp", path, why, sizeof(why)))
		rb_warn("plots/heatmap.{png,svg} are missing: %s", why);
	return 0;
}
