# SPDX-License-Identifier: MIT
# Stand-in for an OpenWrt SDK's include/package.mk (tests/openwrt-check):
# BuildPackage makes `package` run the package's Build/Prepare,
# Build/Compile and Package/NAME/install (into $(OUT_DIR)/ipkg-NAME) the
# way the SDK does, and `info` print its fields.
PKG_BUILD_DIR ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)

define BuildPackage
$(eval $(Package/$(1)))
.PHONY: package info
info:
	@echo "name $(PKG_NAME) version $(PKG_VERSION)-$(PKG_RELEASE) license $(PKG_LICENSE)"
	@echo 'section $(SECTION) category $(CATEGORY)'
	@echo 'depends $(strip $(DEPENDS))'
	@echo 'conffiles $(strip $(Package/$(1)/conffiles))'
package:
	rm -rf $(PKG_BUILD_DIR) $(OUT_DIR)/ipkg-$(1)
	$$(Build/Prepare)
	$$(Build/Compile)
	$$(call Package/$(1)/install,$(OUT_DIR)/ipkg-$(1))
endef
