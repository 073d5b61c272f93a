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

static const wsp_option_spec schema[] = {
	WSP_OPTION_REQUIRED(WSP_OPT_STRING, "root", "help"),
	WSP_OPTION_CHOICE("mode", "safe", choices, "help"),
	WSP_OPTION(WSP_OPT_INT, "retries", "3", "help"),
	WSP_OPTION(WSP_OPT_BOOL, "verbose", "false", "help"),
	WSP_OPTION(WSP_OPT_DURATION, "timeout", "30s", "help"),
	WSP_OPTION(WSP_OPT_SIZE, "max_size", "64KiB", "help"),
	WSP_OPTION(WSP_OPT_LIST, "tags", "[a, b]", "help"),
	WSP_OPTION(WSP_OPT_MAP, "labels", "{k: v}", "help"),
	WSP_OPTION(WSP_OPT_SECRET, "token", NULL, "help"),
	/* bounded (ABI 2.1): every value is also compared with them */
	WSP_OPTION_RANGE(WSP_OPT_INT, "workers", "4", "1", "64", "help"),
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "interval", NULL, "100ms", NULL,
			 "help"),
	WSP_OPTION_RANGE(WSP_OPT_SIZE, "chunk", NULL, NULL, "5GiB", "help"),
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
