// Package designerui embeds the web app's built files (dist/, produced by
// `npm run build` in this folder, which `make build` runs) so the single
// recoup binary serves them. A checkout built without Node embeds only
// dist/.gitkeep; Built then reports false and the server explains how to
// build the app instead of serving it.
package designerui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the app's files rooted at index.html.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Built reports whether the embedded files hold a built app.
func Built() bool {
	_, err := fs.Stat(FS(), "index.html")
	return err == nil
}
