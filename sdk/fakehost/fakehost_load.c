/*
 * sdk/fakehost/fakehost_load.c - a fake host for a provider built as its
 * .so, loaded the way the core loads it.
 */
#include <wsp/fakehost.h>

#include <dlfcn.h>

int wsp_fakehost_load(wsp_fakehost **out, const char *path, wsp_error *err)
{
	wsp_plugin_entry_fn entry;
	const wsp_plugin_desc *desc;
	void *dl;

	*out = NULL;
	/* RTLD_LOCAL: the provider's symbols stay its own, as in the core */
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return wsp_error_set(err, WSP_ENOTPLUGIN, "fake host: %s",
				     dlerror());
	*(void **)&entry = dlsym(dl, WSP_PLUGIN_ENTRY_SYMBOL);
	desc = entry ? entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR) : NULL;
	if (!desc) {
		dlclose(dl);
		return wsp_error_set(err, WSP_ENOTPLUGIN,
				     "fake host: %s has no %s for plugin ABI "
				     "%d.%d",
				     path, WSP_PLUGIN_ENTRY_SYMBOL,
				     WSP_PLUGIN_ABI_MAJOR,
				     WSP_PLUGIN_ABI_MINOR);
	}
	/*
	 * Never closed: a test process may load the same provider again,
	 * and unloading code whose threads a sloppy fini left behind would
	 * turn a provider bug into a crash far from it.
	 */
	return wsp_fakehost_new(out, desc, err);
}
