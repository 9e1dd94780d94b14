/* cli_cell: a results cell for a cell of a plan (see cli_cell.h). */
#include "bench/cli/cli_cell.h"

#include <stdlib.h>

#include "drivers/driver.h"
#include "bench/machine/topo.h"
#include "workloads/workload.h"

struct results_cell *cli_cell_new(struct results_doc *doc, const struct cell_spec *cs, const struct topo_policy *pin,
                                  const char *pin_text)
{
	int *pus = calloc(cs->workers, sizeof *pus);
	struct results_cell *cell = NULL;
	if (pus && !topo_place(pin, cs->workers, pus)) {
		struct cell_desc d = { .workload = cs->wl->name, .driver = cs->drv->name, .workers = cs->workers,
			               .pin = pin_text, .placement = pus, .knobs = &cs->knobs,
			               .primary_metric = cs->wl->primary_metric, .higher_is_better = cs->wl->higher_is_better };
		cell = results_cell_new(doc, &d);
	}
	free(pus);
	return cell;
}
