# End-to-end tests of the `metarl` command (shell scripts in tests/cli/).
add_test(NAME cli_bad_inputs
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad_inputs.sh $<TARGET_FILE:metarl> ${CMAKE_BINARY_DIR}/test_plugins)
set_tests_properties(cli_bad_inputs PROPERTIES TIMEOUT 120)
add_test(NAME cli_eval_reproducible
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/eval_reproducible.sh $<TARGET_FILE:metarl> ${PROJECT_SOURCE_DIR})
set_tests_properties(cli_eval_reproducible PROPERTIES TIMEOUT 300)
add_test(NAME cli_plugin_guide COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/plugin_guide.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(cli_plugin_guide PROPERTIES TIMEOUT 120)
add_test(NAME cli_table COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/table.sh $<TARGET_FILE:metarl>)
set_tests_properties(cli_table PROPERTIES TIMEOUT 300)
add_test(NAME cli_configs_check COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/configs_check.sh $<TARGET_FILE:metarl> ${PROJECT_SOURCE_DIR})
set_tests_properties(cli_configs_check PROPERTIES TIMEOUT 120)
add_test(NAME cli_ep2_vs_ep1 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/ep2_vs_ep1.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(cli_ep2_vs_ep1 PROPERTIES TIMEOUT 60)
add_test(NAME cli_rl2_configs COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/rl2_configs.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(cli_rl2_configs PROPERTIES TIMEOUT 60)
add_test(NAME cli_rl2_tune COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/rl2_tune.sh ${PROJECT_SOURCE_DIR} $<TARGET_FILE:metarl>)
set_tests_properties(cli_rl2_tune PROPERTIES TIMEOUT 120)
