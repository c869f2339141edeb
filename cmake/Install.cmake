# Install rules, so that another CMake project can write
#   find_package(AdaroundMLIR REQUIRED CONFIG)
#   target_link_libraries(my-tool PRIVATE AdaroundMLIR::AdaroundMLIR)
# and call mlir::adaround::registerAdaroundDialect / registerAdaroundPasses.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

install(TARGETS AdaroundNumerics AdaroundLearnOptimizer AdaroundMLIR
  EXPORT AdaroundMLIRTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Installed binaries find Debian's libMLIR.so where the build found it.
set_target_properties(adaround-opt AdaroundPlugin PROPERTIES
  INSTALL_RPATH "${LLVM_LIBRARY_DIR}")
install(TARGETS adaround-opt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS AdaroundPlugin LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(TARGET adaround_cuda_runtime)
  install(TARGETS adaround_cuda_runtime
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
install(DIRECTORY include/adaround DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${PROJECT_BINARY_DIR}/include/adaround
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.inc" PATTERN "CMakeFiles" EXCLUDE)

set(ADAROUND_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/AdaroundMLIR)
install(EXPORT AdaroundMLIRTargets NAMESPACE AdaroundMLIR::
  DESTINATION ${ADAROUND_CMAKE_DIR})
configure_package_config_file(cmake/AdaroundMLIRConfig.cmake.in
  ${PROJECT_BINARY_DIR}/AdaroundMLIRConfig.cmake
  INSTALL_DESTINATION ${ADAROUND_CMAKE_DIR})
install(FILES ${PROJECT_BINARY_DIR}/AdaroundMLIRConfig.cmake
  DESTINATION ${ADAROUND_CMAKE_DIR})

# The PyTorch bridge: a pure-Python package. Under /usr/local, Debian's
# python3 finds it without PYTHONPATH.
install(DIRECTORY python/adaround_mlir
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/python3/dist-packages
  PATTERN "__pycache__" EXCLUDE)
