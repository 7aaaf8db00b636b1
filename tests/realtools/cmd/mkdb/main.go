// mkdb builds a real Grype v6 vulnerability database from vunnel-format records written by this
// project, with grype's own builder (grype/db Build and Package): the same transformers, naming
// rules and archive layout as the official DB, offline and small.
//
//	mkdb [-built RFC3339] <records-dir> <out-dir>
//
// <records-dir> holds one folder per provider (e.g. github, debian, epss, kev); each folder holds
// vunnel envelopes, {"schema": <url>, "identifier": <id>, "item": {…}}, one per .json file.
// <out-dir> receives vulnerability.db, import.json, the vulnerability-db_v6…tar.gz archive and
// latest.json (its "path" is the archive's file name, so serve both from one folder: <base>/v6/).
// -built sets the DB's build time (default: now), for tests of stale and newer DBs.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/spf13/afero"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	grypedb "github.com/anchore/grype/grype/db"
	"github.com/anchore/grype/grype/db/provider"
	v6 "github.com/anchore/grype/grype/db/v6"
)

func main() {
	built := flag.String("built", "", "build time of the DB, RFC3339 (default: now)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: mkdb [-built RFC3339] <records-dir> <out-dir>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	buildTime := time.Now().UTC().Round(time.Second)
	if *built != "" {
		t, err := time.Parse(time.RFC3339, *built)
		if err != nil {
			fail(fmt.Errorf("-built %q is not RFC3339: %w", *built, err))
		}
		buildTime = t.UTC().Round(time.Second)
	}
	if err := run(flag.Arg(0), flag.Arg(1), buildTime); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkdb:", err)
	os.Exit(1)
}

func run(recordsDir, outDir string, buildTime time.Time) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	workspace, err := os.MkdirTemp("", "mkdb-workspace-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workspace)

	states, err := writeWorkspaces(recordsDir, workspace, buildTime)
	if err != nil {
		return err
	}
	// Hydrate after the build time is set: hydration writes import.json with the DB's digest.
	if err := grypedb.Build(grypedb.BuildConfig{
		SchemaVersion: v6.ModelVersion,
		Directory:     outDir,
		States:        states,
		Timestamp:     buildTime,
	}); err != nil {
		return fmt.Errorf("building the DB: %w", err)
	}
	if err := setBuildTime(outDir, buildTime); err != nil {
		return err
	}
	if err := v6.Hydrater()(outDir); err != nil {
		return fmt.Errorf("hydrating the DB: %w", err)
	}
	if _, err := v6.WriteImportMetadata(afero.NewOsFs(), outDir, "grype db build"); err != nil {
		return fmt.Errorf("writing import.json: %w", err)
	}
	// tar.gz: tar.zst would shell out to zstd.
	if err := grypedb.Package(outDir, "", "tar.gz", nil); err != nil {
		return fmt.Errorf("packaging the DB: %w", err)
	}
	return nil
}

// writeWorkspaces turns each provider folder of records into a vunnel provider workspace
// (metadata.json, results/*.json, results/listing.xxh64) and returns the states Build reads.
func writeWorkspaces(recordsDir, workspace string, buildTime time.Time) (provider.States, error) {
	entries, err := os.ReadDir(recordsDir)
	if err != nil {
		return nil, err
	}
	var states provider.States
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		files, err := filepath.Glob(filepath.Join(recordsDir, name, "*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("provider folder %s holds no .json records", filepath.Join(recordsDir, name))
		}
		writer := provider.NewWorkspaceWriter(workspace, name)
		var results []provider.File
		schemaURL := ""
		for _, f := range files {
			content, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var envelope struct {
				Schema     string          `json:"schema"`
				Identifier string          `json:"identifier"`
				Item       json.RawMessage `json:"item"`
			}
			if err := json.Unmarshal(content, &envelope); err != nil {
				return nil, fmt.Errorf("%s is not a vunnel envelope: %w", f, err)
			}
			if envelope.Schema == "" || envelope.Identifier == "" || len(envelope.Item) == 0 {
				return nil, fmt.Errorf("%s: an envelope needs schema, identifier and item", f)
			}
			schemaURL = envelope.Schema
			result, err := writer.WriteResult(filepath.Base(f), content)
			if err != nil {
				return nil, err
			}
			results = append(results, *result)
		}
		if err := writer.WriteListing(results); err != nil {
			return nil, err
		}
		listing, err := provider.NewFile(writer.ListingPath())
		if err != nil {
			return nil, err
		}
		listing.Path = "results/listing.xxh64"
		if err := writer.WriteState(provider.State{
			Provider:  name,
			Version:   1,
			Processor: "realtools-mkdb",
			Schema:    provider.Schema{Version: schemaVersion(schemaURL), URL: schemaURL},
			Timestamp: buildTime,
			Listing:   listing,
			Store:     "flat-file",
		}); err != nil {
			return nil, err
		}
		state, err := provider.ReadState(filepath.Join(writer.Path(), "metadata.json"))
		if err != nil {
			return nil, err
		}
		states = append(states, *state)
	}
	if len(states) == 0 {
		return nil, fmt.Errorf("%s holds no provider folders", recordsDir)
	}
	return states, nil
}

// schemaVersion reads "1.0.1" out of ".../schema-1.0.1.json".
func schemaVersion(url string) string {
	base := strings.TrimSuffix(filepath.Base(url), ".json")
	return strings.TrimPrefix(base, "schema-")
}

// setBuildTime replaces the build time the writer stamped (now) with the requested one.
func setBuildTime(dir string, t time.Time) error {
	db, err := gorm.Open(sqlite.Open(filepath.Join(dir, v6.VulnerabilityDBFileName)), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return fmt.Errorf("opening the DB to set its build time: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	if err := db.Model(&v6.DBMetadata{}).Where("true").Update("build_timestamp", t).Error; err != nil {
		return fmt.Errorf("setting the DB's build time: %w", err)
	}
	return nil
}
