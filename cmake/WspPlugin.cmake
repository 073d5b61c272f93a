# wsp_add_plugin(<kind> <name> SOURCES ... [LIBRARIES ...])
#
# Builds wsp-<kind>-<name>.so as a MODULE that exports only its entry
# symbol (hidden visibility + the plugin version script), links no libwsp
# (-z defs proves it uses only the host table), and installs it into the
# plugin directory. In-tree providers use it exactly as third parties do.
function(wsp_add_plugin kind name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT kind MATCHES "^(fs|sandbox)$")
    message(FATAL_ERROR "wsp_add_plugin: kind must be fs or sandbox, not '${kind}'")
  endif()
  set(tgt "wsp-${kind}-${name}")
  add_library(${tgt} MODULE ${ARG_SOURCES})
  target_link_libraries(${tgt} PRIVATE wsp::plugin-sdk ${ARG_LIBRARIES})
  set_target_properties(${tgt} PROPERTIES
    PREFIX "" OUTPUT_NAME "${tgt}"
    C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${WSP_PLUGIN_MAP}")
  if(DEFINED WSP_BUILD_PLUGIN_DIR)
    set_target_properties(${tgt} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${WSP_BUILD_PLUGIN_DIR}")
  endif()
  target_link_options(${tgt} PRIVATE
    "LINKER:--version-script=${WSP_PLUGIN_MAP}")
  # -z defs proves a provider uses nothing but the host table; sanitizer
  # builds resolve their runtime from the executable, so skip it there.
  if(NOT WSP_SANITIZE)
    target_link_options(${tgt} PRIVATE "LINKER:-z,defs")
  endif()
  install(TARGETS ${tgt} LIBRARY DESTINATION "${WSP_PLUGIN_INSTALL_DIR}")
endfunction()
