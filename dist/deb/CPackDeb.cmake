# The Debian package (scripts/package.sh configures with -DSCAIDNS_DEB=ON and
# -DCMAKE_INSTALL_PREFIX=/usr, then runs cpack): CPack's DEB generator over the ordinary
# install rules, plus what only the package installs: the systemd units of dist/ (ExecStart
# pointed at the installed programs), /etc/scaidns/scaidns.conf (a conffile, from
# scaidns.conf.sample), the manual pages of dist/man/, the copyright, changelog and lintian
# overrides, and the maintainer scripts of dist/deb/.
set(DEB_DIR ${PROJECT_SOURCE_DIR}/dist/deb)
set(DEB_OUT ${PROJECT_BINARY_DIR}/deb)
file(MAKE_DIRECTORY ${DEB_OUT})

foreach(u scaidns-backend scaidns-api)
  file(READ ${PROJECT_SOURCE_DIR}/dist/${u}.service text)
  string(REPLACE "/usr/local/bin/" "${CMAKE_INSTALL_FULL_BINDIR}/" text "${text}")
  file(WRITE ${DEB_OUT}/${u}.service "${text}")
  install(FILES ${DEB_OUT}/${u}.service DESTINATION /lib/systemd/system)
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/dist/scaidns-backend.service
             ${PROJECT_SOURCE_DIR}/dist/scaidns-api.service ${DEB_DIR}/changelog ${DEB_DIR}/lintian-overrides
             ${PROJECT_SOURCE_DIR}/dist/man/scaidns-api.8 ${PROJECT_SOURCE_DIR}/dist/man/scaidns-backend.8
             ${PROJECT_SOURCE_DIR}/dist/man/scaidnsctl.8)

install(FILES ${PROJECT_SOURCE_DIR}/scaidns.conf.sample DESTINATION /etc/scaidns
        RENAME scaidns.conf PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

set(DOC share/doc/scaidns)
execute_process(COMMAND gzip -9nc ${DEB_DIR}/changelog OUTPUT_FILE ${DEB_OUT}/changelog.Debian.gz
                COMMAND_ERROR_IS_FATAL ANY)
install(FILES ${DEB_DIR}/copyright ${DEB_OUT}/changelog.Debian.gz DESTINATION ${DOC})
install(FILES ${PROJECT_SOURCE_DIR}/dist/README.md DESTINATION ${DOC} RENAME README.systemd.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${DOC})
install(FILES ${DEB_DIR}/lintian-overrides DESTINATION share/lintian/overrides RENAME scaidns)
foreach(m scaidns-api scaidns-backend scaidnsctl)
  execute_process(COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/dist/man/${m}.8 OUTPUT_FILE ${DEB_OUT}/${m}.8.gz
                  COMMAND_ERROR_IS_FATAL ANY)
  install(FILES ${DEB_OUT}/${m}.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME scaidns)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PACKAGE_CONTACT "scaidns maintainers <maintainers@users.noreply.r-seed-e4cbd264.example>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "DNSSEC key lifecycle for PowerDNS Authoritative")
# CPack writes the summary as the synopsis and this, each line indented, below it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "scaidns keeps DNSSEC keys sealed in an SQLite keystore, serves them to
PowerDNS through its remote backend (scaidns-backend) and drives the key
lifecycle (enable, DS confirmation, ZSK and KSK rollovers, disable) from an
HTTP API with a scheduler and a status page (scaidns-api) and an admin tool
(scaidnsctl).")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The units run the backend with the group pdns and name pdns.service.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, pdns-server (>= 4.7), pdns-backend-remote")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bind9-dnsutils, sqlite3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${DEB_DIR}/postinst ${DEB_DIR}/prerm ${DEB_DIR}/postrm
    ${DEB_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES ON)
set(CPACK_SET_DESTDIR OFF)
include(CPack)
