# What `pip install .` puts in the wheel (scikit-build-core runs `cmake
# --install` into the package's folder; pyproject.toml): the package
# gradlab/ holds the compiled module _core, libgradlab_engine.so, the CUDA
# plugin when it was built, and the programs in gradlab/bin/. Run paths are
# relative ($ORIGIN), so the installed package needs nothing from the build.
# Called at the end of the top CMakeLists.txt, when every target exists.
function(gradlab_install_package)
  set(programs exercises ex1_tanh_gradient ex2_backprop_identity ex3_resblock_params ex4_batchnorm_shapes
      ex5_conv1d_matrix resnet export_notebooks)
  foreach(program ${programs})
    if(TARGET ${program})
      set_target_properties(${program} PROPERTIES INSTALL_RPATH "$ORIGIN/..")
      install(TARGETS ${program} RUNTIME DESTINATION gradlab/bin COMPONENT gradlab)
    endif()
  endforeach()
  install(TARGETS gradlab_engine LIBRARY DESTINATION gradlab COMPONENT gradlab)
  if(TARGET gradlab_cuda)
    install(TARGETS gradlab_cuda LIBRARY DESTINATION gradlab COMPONENT gradlab)
  endif()
  if(TARGET gradlab_python)
    set_target_properties(gradlab_python PROPERTIES INSTALL_RPATH "$ORIGIN")
    install(TARGETS gradlab_python LIBRARY DESTINATION gradlab COMPONENT gradlab)
  endif()
endfunction()
