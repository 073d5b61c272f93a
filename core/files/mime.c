/*
 * core/files/mime.c - MIME types from file extensions, one table for every
 * provider: they leave wsp_fs_stat.mime_type empty and the core fills it,
 * and a write reaches them with wsp_fs_write_opts.mime_type filled (an
 * object store keeps it as the object's Content-Type).
 */
#include "files.h"

#include <wsp/files.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sorted by extension (lower case) for bsearch. */
static const struct mime {
	const char *ext;
	const char *type;
} mime_table[] = {
	{"7z", "application/x-7z-compressed"},
	{"aac", "audio/aac"},
	{"avi", "video/x-msvideo"},
	{"avif", "image/avif"},
	{"bash", "text/x-shellscript"},
	{"bmp", "image/bmp"},
	{"bz2", "application/x-bzip2"},
	{"c", "text/x-c"},
	{"cc", "text/x-c++"},
	{"cfg", "text/plain"},
	{"cjs", "text/javascript"},
	{"conf", "text/plain"},
	{"cpp", "text/x-c++"},
	{"cs", "text/x-csharp"},
	{"css", "text/css"},
	{"csv", "text/csv"},
	{"dart", "text/x-dart"},
	{"doc", "application/msword"},
	{"docx", "application/"
		 "vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"env", "text/plain"},
	{"eot", "application/vnd.ms-fontobject"},
	{"epub", "application/epub+zip"},
	{"flac", "audio/flac"},
	{"gif", "image/gif"},
	{"go", "text/x-go"},
	{"gql", "application/graphql"},
	{"graphql", "application/graphql"},
	{"gz", "application/gzip"},
	{"h", "text/x-c"},
	{"hpp", "text/x-c++"},
	{"htm", "text/html"},
	{"html", "text/html"},
	{"ico", "image/vnd.microsoft.icon"},
	{"ics", "text/calendar"},
	{"ini", "text/plain"},
	{"jar", "application/java-archive"},
	{"java", "text/x-java"},
	{"jpeg", "image/jpeg"},
	{"jpg", "image/jpeg"},
	{"js", "text/javascript"},
	{"json", "application/json"},
	{"jsonl", "application/jsonl"},
	{"jsx", "text/jsx"},
	{"kt", "text/x-kotlin"},
	{"kts", "text/x-kotlin"},
	{"less", "text/x-less"},
	{"log", "text/plain"},
	{"lua", "text/x-lua"},
	{"m4a", "audio/mp4"},
	{"md", "text/markdown"},
	{"mdx", "text/mdx"},
	{"mid", "audio/midi"},
	{"mjs", "text/javascript"},
	{"mkv", "video/x-matroska"},
	{"mov", "video/quicktime"},
	{"mp3", "audio/mpeg"},
	{"mp4", "video/mp4"},
	{"mpeg", "video/mpeg"},
	{"odp", "application/vnd.oasis.opendocument.presentation"},
	{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
	{"odt", "application/vnd.oasis.opendocument.text"},
	{"oga", "audio/ogg"},
	{"ogg", "audio/ogg"},
	{"ogv", "video/ogg"},
	{"otf", "font/otf"},
	{"parquet", "application/vnd.apache.parquet"},
	{"pdf", "application/pdf"},
	{"php", "application/x-httpd-php"},
	{"pl", "text/x-perl"},
	{"png", "image/png"},
	{"ppt", "application/vnd.ms-powerpoint"},
	{"pptx",
	 "application/"
	 "vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"proto", "text/plain"},
	{"py", "text/x-python"},
	{"r", "text/x-r"},
	{"rar", "application/vnd.rar"},
	{"rb", "text/x-ruby"},
	{"rs", "text/x-rust"},
	{"rtf", "application/rtf"},
	{"sas", "text/plain"},
	{"sass", "text/x-sass"},
	{"scss", "text/x-scss"},
	{"sh", "text/x-shellscript"},
	{"sql", "application/sql"},
	{"svelte", "text/plain"},
	{"svg", "image/svg+xml"},
	{"swift", "text/x-swift"},
	{"tar", "application/x-tar"},
	{"tf", "text/plain"},
	{"tfvars", "text/plain"},
	{"tgz", "application/gzip"},
	{"tif", "image/tiff"},
	{"tiff", "image/tiff"},
	{"toml", "application/toml"},
	{"ts", "text/typescript"},
	{"tsv", "text/tab-separated-values"},
	{"tsx", "text/tsx"},
	{"ttf", "font/ttf"},
	{"txt", "text/plain"},
	{"vue", "text/plain"},
	{"wasm", "application/wasm"},
	{"wav", "audio/wav"},
	{"weba", "audio/webm"},
	{"webm", "video/webm"},
	{"webp", "image/webp"},
	{"woff", "font/woff"},
	{"woff2", "font/woff2"},
	{"xhtml", "application/xhtml+xml"},
	{"xls", "application/vnd.ms-excel"},
	{"xlsx",
	 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"xml", "application/xml"},
	{"xz", "application/x-xz"},
	{"yaml", "application/yaml"},
	{"yml", "application/yaml"},
	{"zip", "application/zip"},
	{"zsh", "text/x-shellscript"},
	{"zst", "application/zstd"},
};

static int cmp_ext(const void *key, const void *elem)
{
	return strcasecmp(key, ((const struct mime *)elem)->ext);
}

const char *wsp_files_mime_type(const char *name)
{
	const char *slash, *dot;
	const struct mime *m;

	if (!name)
		return "application/octet-stream";
	slash = strrchr(name, '/');
	if (slash)
		name = slash + 1;
	dot = strrchr(name, '.');
	/* ".bashrc" has no extension; "archive.tar.gz" has "gz" */
	if (!dot || dot == name || !dot[1])
		return "application/octet-stream";
	m = bsearch(dot + 1, mime_table, sizeof(mime_table) / sizeof(*m),
		    sizeof(*m), cmp_ext);
	return m ? m->type : "application/octet-stream";
}

void wsp__fs_write_opts_type(wsp_fs_write_opts *o, const char *path)
{
	if (!o->mime_type || !o->mime_type[0])
		o->mime_type = wsp_files_mime_type(path);
}
