# Runs at install time (from deploy/CMakeLists.txt), when CMAKE_INSTALL_PREFIX is the prefix
# given to `cmake --install`. Installs the default config file and the systemd unit with its
# paths (/usr/local/bin/sawmill, /etc/sawmill/config.yaml in the source) rewritten for the
# prefix. file(INSTALL) adds $DESTDIR itself.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(saw_etc "/etc")
else()
  set(saw_etc "${CMAKE_INSTALL_PREFIX}/etc")
endif()
file(INSTALL "${SAW_DEPLOY_DIR}/config/config.yaml" DESTINATION "${saw_etc}/sawmill")

file(READ "${SAW_DEPLOY_DIR}/systemd/sawmill.service" saw_unit)
string(REPLACE "/usr/local/bin/" "${CMAKE_INSTALL_PREFIX}/bin/" saw_unit "${saw_unit}")
string(REPLACE "/etc/sawmill/" "${saw_etc}/sawmill/" saw_unit "${saw_unit}")
# One scratch file per destination, so concurrent installs of one tree do not mix.
string(MD5 saw_dest "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
file(WRITE "${SAW_DEPLOY_BINARY_DIR}/unit-${saw_dest}/sawmill.service" "${saw_unit}")
file(INSTALL "${SAW_DEPLOY_BINARY_DIR}/unit-${saw_dest}/sawmill.service"
     DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
