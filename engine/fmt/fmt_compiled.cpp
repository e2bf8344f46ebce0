// fmt's compiled part, built once for the whole project.
//
// Debian ships fmt 9 as headers plus a shared libfmt.so, and no static
// library. Binaries that travel to the GPU machine must not need libfmt.so
// there, and header-only fmt (FMT_HEADER_ONLY) re-compiles and re-optimises
// fmt's implementation (format-inl.h: Dragonbox, vformat, print) in every
// translation unit that includes <fmt/format.h>: about 10 s a file at -O3,
// most of the project's build time. So the implementation is compiled here,
// once, into a static library (gradlab_fmt), with the same explicit
// instantiations as fmt's own src/format.cc, and every other file includes
// the plain headers.
#include <fmt/format-inl.h>

#if FMT_VERSION < 90000 || FMT_VERSION >= 100000
#error "engine/fmt/fmt_compiled.cpp mirrors fmt 9's src/format.cc; check it against this fmt version"
#endif

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

#ifndef FMT_STATIC_THOUSANDS_SEPARATOR
template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;
#endif

// Explicit instantiations for char.
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API void buffer<char>::append(const char*, const char*);
template FMT_API void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>,
                                 locale_ref);

// Explicit instantiations for wchar_t.
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;
template FMT_API void buffer<wchar_t>::append(const wchar_t*, const wchar_t*);

}  // namespace detail
FMT_END_NAMESPACE
