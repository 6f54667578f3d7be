#!/usr/bin/env bash
# Builds every fuzz/fuzz_*.c into fuzz/build/<target> with libFuzzer, ASan
# and UBSan. The project's library sources are compiled once into
# fuzz/build/obj (instrumented, rebuilt only when a source or a header it
# includes changed) and archived, so each target links only what it uses.
# Usage: fuzz/build.sh [target...]      (CC overrides clang)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=fuzz/build
obj=$out/obj
gen=$out/gen
mkdir -p "$obj" "$gen"

CC=${CC:-clang}
pkgs="libmicrohttpd libsodium sqlite3 libpq jansson inih gnutls libcurl liboath" # liboath: AUTH-8 TOTP; libpq: store/pg
pkg_cflags=$(pkg-config --cflags $pkgs)
pkg_libs="$(pkg-config --libs $pkgs) -lunistring -lm -lpthread"
# AUTH-4 imported hashes (crypt_rn) and AUTH-2 strength estimate.
pkg_libs+=" -lcrypt -lzxcvbn"
common=(-g -O1 -std=gnu11 -fno-omit-frame-pointer -D_GNU_SOURCE '-DSR_VERSION="fuzz"'
        -Isrc $pkg_cflags -Wall -Wextra -Wno-missing-field-initializers
        -fno-sanitize-recover=all)
lib_san=-fsanitize=fuzzer-no-link,address,undefined
bin_san=-fsanitize=fuzzer,address,undefined

# The embedded documents routes.c reaches through api/system.c.
embed() { # src out symbol
        if [[ ! -e $2 || $1 -nt $2 || tools/embed.py -nt $2 ]]; then
                python3 tools/embed.py "$1" "$2.tmp" "$3" && mv "$2.tmp" "$2"
        fi
}
embed openapi/openapi.json "$gen/openapi_doc.c" sr_openapi_doc
embed web/index.html "$gen/web_index.c" sr_web_index
embed src/domain/identity/blocklist.txt "$gen/password_blocklist.c" sr_password_blocklist
embed web/verify-email.html "$gen/web_verify_email_html.c" sr_web_verify_email_html
embed web/verify-email.js "$gen/web_verify_email_js.c" sr_web_verify_email_js
embed web/reset.html "$gen/web_reset_html.c" sr_web_reset_html
embed web/reset.js "$gen/web_reset_js.c" sr_web_reset_js

# Everything but main.c, the CLI and the HTTP server proper.
mapfile -t srcs < <(find src/api src/domain src/store src/crypto src/util src/mailer -name '*.c' | sort)
srcs+=(src/http/router.c src/http/clientip.c src/http/credentials.c "$gen/openapi_doc.c" "$gen/web_index.c")
srcs+=("$gen/password_blocklist.c" "$gen/web_verify_email_html.c" "$gen/web_verify_email_js.c")
srcs+=("$gen/web_reset_html.c" "$gen/web_reset_js.c")

objname() { local p=${1#src/}; p=${p#"$gen"/}; echo "$obj/${p//\//_}.o"; }

# Stale when the object or its depfile is missing, or any dependency is newer.
stale() { # src obj
        local o=$2 d=${2%.o}.d dep
        [[ -e $o && -e $d ]] || return 0
        for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$d"); do
                [[ $dep -nt $o ]] && return 0
        done
        return 1
}

todo=()
objs=()
for s in "${srcs[@]}"; do
        o=$(objname "$s")
        objs+=("$o")
        if stale "$s" "$o"; then todo+=("$s"); fi
done

compile() { # src
        local o
        o=$(objname "$1")
        "$CC" "${common[@]}" $lib_san -MMD -MF "${o%.o}.d" -c "$1" -o "$o"
}
export -f compile objname
export CC lib_san obj gen
export common_str="${common[*]}"

if ((${#todo[@]} > 0)); then
        echo "build.sh: compiling ${#todo[@]} library sources"
        # xargs exports no arrays; rebuild the flags inside each worker.
        printf '%s\n' "${todo[@]}" |
                xargs -P "$(nproc)" -I{} bash -c 'common=($common_str); compile "$1"' _ {}
        rm -f "$out/libsr-fuzz.a"
fi
# Re-archive after a compile or when sources were added or removed.
printf '%s\n' "${objs[@]}" >"$out/objs.list.new"
if [[ ! -e $out/libsr-fuzz.a ]] || ! cmp -s "$out/objs.list.new" "$out/objs.list"; then
        rm -f "$out/libsr-fuzz.a.tmp"
        ar rcs "$out/libsr-fuzz.a.tmp" "${objs[@]}"
        mv "$out/libsr-fuzz.a.tmp" "$out/libsr-fuzz.a"
fi
mv "$out/objs.list.new" "$out/objs.list"

if (($# > 0)); then
        targets=("$@")
else
        mapfile -t targets < <(cd fuzz && ls fuzz_*.c | sed 's/\.c$//')
fi
for t in "${targets[@]}"; do
        h=fuzz/$t.c
        [[ -e $h ]] || { echo "build.sh: no such target: $t" >&2; exit 2; }
        if [[ ! -e $out/$t || $h -nt $out/$t || $out/libsr-fuzz.a -nt $out/$t ]]; then
                echo "build.sh: linking $t"
                "$CC" "${common[@]}" -Werror $bin_san "$h" "$out/libsr-fuzz.a" $pkg_libs \
                        -o "$out/$t"
        fi
done
echo "build.sh: ${#targets[@]} targets in $out/"
