#!/bin/bash
# Cross-compiles the app's binary for iOS and puts it where Xcode expects the
# app's executable (run by ios/project.yml after Xcode's compile step).
# Usage: build-rust.sh <binary name>. Not run on the project's machines (no
# macOS or Xcode there).
set -euo pipefail
BIN="$1"
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

case "${PLATFORM_NAME:-iphoneos}" in
    iphonesimulator) TARGET=aarch64-apple-ios-sim ;;
    *) TARGET=aarch64-apple-ios ;;
esac
if [ "${CONFIGURATION:-Release}" = "Debug" ]; then
    PROFILE_FLAG=""; PROFILE_DIR=debug
else
    PROFILE_FLAG="--release"; PROFILE_DIR=release
fi

# Xcode's environment points the C compiler at the iOS SDK; SQLCipher and
# OpenSSL are compiled from source with it (bundled-sqlcipher-vendored-openssl).
cargo build -p tsunagi --bin "$BIN" --target "$TARGET" $PROFILE_FLAG
mkdir -p "$(dirname "$TARGET_BUILD_DIR/$EXECUTABLE_PATH")"
cp "target/$TARGET/$PROFILE_DIR/$BIN" "$TARGET_BUILD_DIR/$EXECUTABLE_PATH"
