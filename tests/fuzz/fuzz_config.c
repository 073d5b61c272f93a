/*
 * tests/fuzz/fuzz_config.c - libFuzzer target for the configuration
 * loader: the YAML tree (bounds, aliases, duplicates), ${VAR} expansion,
 * the document's shape, and option validation against a schema with
 * every option type and bounds, read back through host->opt_fill. Any input must give either a configuration or
 * FILE:LINE:COL diagnostics: never a crash, a leak or undefined
 * behaviour.
 */
#include "config.h"
#include "host.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const choices[] = { "fast", "safe", NULL };

#define OPT(type, flags, name, def) \
	{ sizeof(wsp_option_spec), type, flags, 0, name, def, "help", NULL, NULL, NULL }

static const wsp_option_spec schema[] = {
	OPT(WSP_OPT_STRING, WSP_OPT_REQUIRED, "root", NULL),
	{ sizeof(wsp_option_spec), WSP_OPT_STRING, 0, 0, "mode", "safe",
	  "help", choices, NULL, NULL },
	OPT(WSP_OPT_INT, 0, "retries", "3"),
	OPT(WSP_OPT_BOOL, 0, "verbose", "false"),
	OPT(WSP_OPT_DURATION, 0, "timeout", "30s"),
	OPT(WSP_OPT_SIZE, 0, "max_size", "64KiB"),
	OPT(WSP_OPT_LIST, 0, "tags", "[a, b]"),
	OPT(WSP_OPT_MAP, 0, "labels", "{k: v}"),
	OPT(WSP_OPT_SECRET, 0, "token", NULL),
	/* bounded (ABI 2.1): every value is also compared with them */
	{ sizeof(wsp_option_spec), WSP_OPT_INT, 0, 0, "workers", "4", "help",
	  NULL, "1", "64" },
	{ sizeof(wsp_option_spec), WSP_OPT_DURATION, 0, 0, "interval", NULL,
	  "help", NULL, "100ms", NULL },
	{ sizeof(wsp_option_spec), WSP_OPT_SIZE, 0, 0, "chunk", NULL, "help",
	  NULL, NULL, "5GiB" },
};

/* Where opt_fill writes every option of the schema. */
struct filled {
	const char *root, *mode, *token;
	const char *const *tags, *const *labels;
	int64_t retries, timeout_ms, interval_ms;
	int32_t workers;
	uint64_t max_size;
	uint32_t chunk; /* may not fit: refused, not truncated */
	int verbose;
};

static const wsp_option_field fields[] = {
	WSP_OPTION_FIELD(struct filled, root, "root"),
	WSP_OPTION_FIELD(struct filled, mode, "mode"),
	WSP_OPTION_FIELD(struct filled, token, "token"),
	WSP_OPTION_FIELD(struct filled, tags, "tags"),
	WSP_OPTION_FIELD(struct filled, labels, "labels"),
	WSP_OPTION_FIELD(struct filled, retries, "retries"),
	WSP_OPTION_FIELD(struct filled, timeout_ms, "timeout"),
	WSP_OPTION_FIELD(struct filled, interval_ms, "interval"),
	WSP_OPTION_FIELD(struct filled, workers, "workers"),
	WSP_OPTION_FIELD(struct filled, max_size, "max_size"),
	WSP_OPTION_FIELD(struct filled, chunk, "chunk"),
	WSP_OPTION_FIELD(struct filled, verbose, "verbose"),
	WSP_OPTION_FIELD_END,
};

static void check_options(const struct wsp__provider_ref *ref,
			  const char *file)
{
	struct wsp__diags d = { 0 };
	wsp_config *cfg = NULL;

	if (!ref->provider)
		return;
	if (!wsp__options_check(&cfg, schema,
				sizeof(schema) / sizeof(schema[0]),
				ref->options, ref->node, "fuzz provider", file,
				&d)) {
		/* Read every value back, as the host getters do. */
		struct filled f = { 0 };
		wsp_error err;

		for (size_t i = 0; i < cfg->n; i++)
			if (cfg->vals[i].set && cfg->vals[i].text)
				(void)strlen(cfg->vals[i].text);
		if (!wsp__host_opt_fill(&f, NULL, cfg, fields, &err) &&
		    f.root)
			(void)strlen(f.root);
	}
	wsp__options_free(cfg);
	wsp__diag_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsp__config *cfg = NULL;
	struct wsp__diags d = { 0 };
	size_t i;

	static int env_set;
	if (!env_set) {
		setenv("WSP_FUZZ_VAR", "value-from-env", 1);
		env_set = 1;
	}
	if (!wsp__config_parse(&cfg, (const char *)data, size, "fuzz.yaml",
			       "/tmp", 0, &d)) {
		if (cfg->has_sandbox)
			check_options(&cfg->sandbox, cfg->file);
		for (i = 0; i < cfg->n_mounts; i++)
			check_options(&cfg->mounts[i].ref, cfg->file);
	}
	wsp__config_free(cfg);
	wsp__diag_clear(&d);
	return 0;
}
