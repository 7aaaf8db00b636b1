// mkimage builds a single-layer linux/amd64 container image from a root filesystem folder with
// go-containerregistry, with no Docker engine, and writes it in the forms grype and syft read.
//
//	mkimage -rootfs <dir> [-ref name:tag] [-docker-archive <file.tar>] [-oci-dir <dir>]
//	        [-push <host:port/repo:tag>] (credentials for -push: MKIMAGE_USERNAME, MKIMAGE_PASSWORD)
//	mkimage -htpasswd <user>   (prints the bcrypt htpasswd line for MKIMAGE_PASSWORD, for the
//	                           test registry's auth.htpasswd, which accepts bcrypt only)
//
// The layer holds the folder's files with their relative paths, owned by root, with a fixed
// modification time, so the same folder always gives the same image digest.
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/crypto/bcrypt"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	rootfs := flag.String("rootfs", "", "root filesystem folder to put in the image's one layer")
	ref := flag.String("ref", "realtools/image:latest", "image name recorded in the docker archive")
	dockerArchive := flag.String("docker-archive", "", "write a docker-archive tarball here")
	ociDir := flag.String("oci-dir", "", "write an OCI image layout into this folder")
	push := flag.String("push", "", "push to this registry reference (plain http on loopback)")
	htpasswdUser := flag.String("htpasswd", "", "print an htpasswd line for this user and MKIMAGE_PASSWORD, then exit")
	flag.Parse()
	if *htpasswdUser != "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(os.Getenv("MKIMAGE_PASSWORD")), bcrypt.DefaultCost)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkimage:", err)
			os.Exit(1)
		}
		fmt.Printf("%s:%s\n", *htpasswdUser, hash)
		return
	}
	if *rootfs == "" || (*dockerArchive == "" && *ociDir == "" && *push == "") {
		fmt.Fprintln(os.Stderr, "usage: mkimage -rootfs <dir> [-ref name:tag] [-docker-archive file.tar] [-oci-dir dir] [-push host:port/repo:tag]")
		os.Exit(2)
	}
	if err := run(*rootfs, *ref, *dockerArchive, *ociDir, *push); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(rootfs, ref, dockerArchive, ociDir, push string) error {
	img, err := buildImage(rootfs)
	if err != nil {
		return err
	}
	if dockerArchive != "" {
		tag, err := name.NewTag(ref)
		if err != nil {
			return fmt.Errorf("-ref %q: %w", ref, err)
		}
		if err := tarball.WriteToFile(dockerArchive, tag, img); err != nil {
			return fmt.Errorf("writing %s: %w", dockerArchive, err)
		}
	}
	if ociDir != "" {
		p, err := layout.Write(ociDir, empty.Index)
		if err != nil {
			return fmt.Errorf("writing %s: %w", ociDir, err)
		}
		if err := p.AppendImage(img); err != nil {
			return fmt.Errorf("writing %s: %w", ociDir, err)
		}
	}
	if push != "" {
		target, err := name.ParseReference(push, name.Insecure)
		if err != nil {
			return fmt.Errorf("-push %q: %w", push, err)
		}
		auth := authn.Anonymous
		if u := os.Getenv("MKIMAGE_USERNAME"); u != "" {
			auth = &authn.Basic{Username: u, Password: os.Getenv("MKIMAGE_PASSWORD")}
		}
		if err := remote.Write(target, img, remote.WithAuth(auth)); err != nil {
			return fmt.Errorf("pushing %s: %w", push, err)
		}
	}
	return nil
}

func buildImage(rootfs string) (v1.Image, error) {
	layerTar, err := tarFolder(rootfs)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	})
	if err != nil {
		return nil, err
	}
	cfg, err := empty.Image.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS = "linux"
	cfg.Architecture = "amd64"
	cfg.Created = v1.Time{Time: epoch}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		return nil, err
	}
	return mutate.AppendLayers(img, layer)
}

// tarFolder makes the layer: every file and folder under root, sorted, with fixed owner and time.
func tarFolder(root string) ([]byte, error) {
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading -rootfs %s: %w", root, err)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range paths {
		info, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, err
		}
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return nil, err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return nil, err
		}
		hdr.Name = filepath.ToSlash(rel)
		if info.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "root", "root"
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = epoch, time.Time{}, time.Time{}
		hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
