# wsp_program(TARGET): what every program the project builds on libwsp
# links in beside it (core/program/): today the answer that keeps GnuTLS,
# which Debian's libcurl brings and wsp never uses, from starting itself
# up at load. The definition must be in the program's dynamic symbol table
# for GnuTLS's constructor to find it before its own.
function(wsp_program target)
  target_sources(${target} PRIVATE
    "${PROJECT_SOURCE_DIR}/core/program/skip_gnutls_init.c")
  target_link_options(${target} PRIVATE
    "LINKER:--export-dynamic-symbol=_gnutls_global_init_skip")
endfunction()
