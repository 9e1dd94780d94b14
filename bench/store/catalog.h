/* catalog: what this bench can run (workloads, drivers, their knobs, the harness knobs) as one
 * JSON object, for `bench list --json` and for tools (shell completion, dashboards) that must
 * not parse the text listing. */
#ifndef BENCH_CATALOG_H
#define BENCH_CATALOG_H

/* The catalogue as indented JSON text (caller frees), or NULL when out of memory. */
char *catalog_json(void);

#endif
