/* cli: the options bench plot and bench report share (-o DIR, --format F); see plot.h. */
#include <getopt.h>
#include <string.h>

#include "bench/core/log.h"
#include "bench/store/escape.h"
#include "plot/plot.h"

/* --ignore-knob K of bench plot: at most as many as the list holds, each a knob name. */
static int add_ignore(const char *cmd, const char *k, struct plot_opts *o)
{
	if (o->nignore >= sizeof o->ignore / sizeof o->ignore[0]) {
		log_err(cmd, "--ignore-knob: at most %zu", sizeof o->ignore / sizeof o->ignore[0]);
		return -1;
	}
	if (!esc_name_ok(k)) {
		log_err(cmd, "--ignore-knob: not a knob name (letters, digits, '_' and '-')");
		return -1;
	}
	o->ignore[o->nignore++] = k;
	return 0;
}

int plot_cli_parse(int argc, char **argv, const char *cmd, unsigned flags, const char **dir, struct plot_opts *o)
{
	enum { O_FORMAT = 256, O_IGNORE };
	static const struct option lo[] = { { "output", required_argument, 0, 'o' },
		                            { "format", required_argument, 0, O_FORMAT },
		                            { "ignore-knob", required_argument, 0, O_IGNORE },
		                            { "help", no_argument, 0, 'h' }, { 0 } };
	int c, allow_pdf = flags & PLOT_CLI_PLOT;
	*dir = NULL;
	*o = (struct plot_opts){ .format = PLOT_PNG };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': *dir = optarg; break;
		case O_FORMAT:
			if (plot_parse_format(optarg, &o->format) || (!allow_pdf && o->format == PLOT_PDF)) {
				log_err(cmd, "--format: '%s' is not %s", optarg, allow_pdf ? "png, svg or pdf" : "png or svg");
				return -1;
			}
			break;
		case O_IGNORE:
			if (!(flags & PLOT_CLI_PLOT)) { /* argv[optind - 1] is its value by now */
				log_err(cmd, "unknown option '--ignore-knob' (see bench %s --help)", cmd);
				return -1;
			}
			if (add_ignore(cmd, optarg, o))
				return -1;
			break;
		case ':':
			log_err(cmd, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			log_err(cmd, "unknown option '%s' (see bench %s --help)", argv[optind - 1], cmd);
			return -1;
		}
	}
	return optind;
}

int plot_cli_history(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--history"))
			return 1;
	return 0;
}
