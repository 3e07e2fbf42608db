package document

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	pathpkg "path"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

//go:embed schema/*.json
var schemaFS embed.FS

// schemaBase is the URL prefix of the embedded schemas; each file's $id is
// schemaBase + its file name, and files refer to each other relatively.
const schemaBase = "https://schemas.cadenza-edge.dev/margo/"

// Names of the embedded schemas (files under schema/).
const (
	schemaOnboarding         = "onboarding-request.json"
	schemaOnboardingResponse = "onboarding-response.json"
	schemaCapsResources      = "capabilities-p1-resources.json"
	schemaCapsFlat           = "capabilities-p1-flat.json"
	schemaCapsP2             = "capabilities-p2.json"
	schemaStatus             = "status.json"
	schemaManifest           = "manifest.json"
	schemaDeploymentP1       = "deployment-p1.json"
	schemaDeploymentP1TopID  = "deployment-p1-topid.json"
	schemaDeploymentP2       = "deployment-p2.json"
)

// compiledSchemas compiles every embedded schema once, on first use.
var compiledSchemas = sync.OnceValues(compileSchemas)

// compileSchemas loads all files under schema/ and compiles each of them.
func compileSchemas() (map[string]*jsonschema.Schema, error) {
	files, err := fs.Glob(schemaFS, "schema/*.json")
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(noLoader{}) // every reference resolves to an embedded file
	for _, f := range files {
		b, err := schemaFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", f, err)
		}
		if err := c.AddResource(schemaBase+pathpkg.Base(f), doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", f, err)
		}
	}
	out := make(map[string]*jsonschema.Schema, len(files))
	for _, f := range files {
		name := pathpkg.Base(f)
		s, err := c.Compile(schemaBase + name)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		out[name] = s
	}
	return out, nil
}

// noLoader refuses to fetch anything: the schemas must be self-contained.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded", url)
}

// validateSchema validates the decoded instance against the named schema and
// returns one violation per problem.
func validateSchema(name string, instance any) (violations, error) {
	schemas, err := compiledSchemas()
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "compiling embedded schemas")
	}
	s, ok := schemas[name]
	if !ok {
		return nil, fault.New(fault.Internal, "no embedded schema %q", name)
	}
	err = s.Validate(instance)
	if err == nil {
		return nil, nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return nil, fault.Wrap(err, fault.Internal, "validating against %s", name)
	}
	var vs violations
	collect(&vs, ve, instance)
	return vs, nil
}

// collect turns the leaves of a validation error tree into violations.
func collect(vs *violations, ve *jsonschema.ValidationError, instance any) {
	switch k := ve.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		// The alternatives' own errors would be confusing; say it once.
		vs.add(instancePath(instance, ve.InstanceLocation), "does not match any of the allowed forms")
		return
	case *kind.Required:
		p := instancePath(instance, ve.InstanceLocation)
		for _, m := range k.Missing {
			vs.add(p.key(m), "is required")
		}
		return
	case *kind.AdditionalProperties:
		p := instancePath(instance, ve.InstanceLocation)
		for _, m := range k.Properties {
			vs.add(p.key(m), "is not an allowed field")
		}
		return
	}
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(vs, c, instance)
		}
		return
	}
	vs.add(instancePath(instance, ve.InstanceLocation), "%s", kindMessage(ve.ErrorKind))
}

// instancePath renders a JSON-pointer token list as a dotted path, using the
// instance to tell array indices from member names.
func instancePath(instance any, tokens []string) path {
	var p path
	cur := instance
	for _, tok := range tokens {
		switch c := cur.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return p.key(tok)
			}
			p, cur = p.index(i), c[i]
		case map[string]any:
			p, cur = p.key(tok), c[tok]
		default:
			p, cur = p.key(tok), nil
		}
	}
	return p
}

// patternMessages explains the patterns the schemas use, by pattern text.
var patternMessages = map[string]string{
	`^sha256:[0-9a-f]{64}$`:                        "must be a digest: sha256: followed by 64 lowercase hex digits (no other algorithm is supported)",
	`^[-a-z0-9]{1,200}$`:                           "must be 1 to 200 lowercase letters, digits or dashes",
	`^[0-9]+(\.[0-9]+)? ?(Ki|Mi|Gi|Ti|Pi|Ei)$`:     "must be a binary quantity such as 1024Mi or 59 Gi (units Ki, Mi, Gi, Ti, Pi, Ei)",
	`^([0-9]+(\.[0-9]+)? ?(Ki|Mi|Gi|Ti|Pi|Ei))?$`:  "must be a binary quantity such as 1024Mi or 59 Gi (units Ki, Mi, Gi, Ti, Pi, Ei), or empty for a device that hosts nothing",
	`^[0-9]+m[0-9]+s$`:                             "must be a duration written ##m##s, such as 8m30s",
	`^oci://.+`:                                    "must be an oci:// reference",
	`^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$`:       "must be a device id: RFC 3986 unreserved characters, with / between hierarchy levels",
	`^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*(/\*)?$`: "must be a device id: RFC 3986 unreserved characters, with / between hierarchy levels and an optional trailing /*",
	`^[A-Za-z0-9._~-]+$`:                           "must be non-empty and use only RFC 3986 unreserved characters (letters, digits, - . _ ~)",
	`^x-[a-z][a-z0-9-]*-extensions$`:               "must be named x-<name>-extensions",
	`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(_[0-9A-Za-z.-]+)?$`: "must be a SemVer version without a leading v, with _ in place of +",
}

// kindMessage is the human-readable message for one leaf error.
func kindMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("must be %s (got %s)", typeNames(k.Want), article(k.Got))
	case *kind.Enum:
		if len(k.Want) == 1 {
			return fmt.Sprintf("must be %s (got %s)", display(k.Want[0]), display(k.Got))
		}
		return fmt.Sprintf("must be one of %s (got %s)", displayList(k.Want), display(k.Got))
	case *kind.Const:
		return fmt.Sprintf("must be %s (got %s)", display(k.Want), display(k.Got))
	case *kind.Pattern:
		if m, ok := patternMessages[k.Want]; ok {
			return fmt.Sprintf("%s (got %s)", m, quoteValue(k.Got))
		}
		return fmt.Sprintf("must match %s (got %s)", k.Want, quoteValue(k.Got))
	case *kind.MinItems:
		if k.Want == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must have at least %d items (got %d)", k.Want, k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d items (got %d)", k.Want, k.Got)
	case *kind.MinLength:
		if k.Want == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("must not contain duplicates (items %d and %d are equal)", k.Duplicates[0], k.Duplicates[1])
	case *kind.Minimum:
		return fmt.Sprintf("must be at least %s", k.Want.RatString())
	case *kind.Maximum:
		return fmt.Sprintf("must be at most %s", k.Want.RatString())
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("must be greater than %s", k.Want.RatString())
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("must be less than %s", k.Want.RatString())
	case *kind.FalseSchema:
		return "is not allowed"
	case *kind.Not:
		return "is not an allowed value"
	}
	// Kinds the schemas rarely produce keep the library's wording.
	return k.LocalizedString(message.NewPrinter(language.English))
}

// typeNames renders JSON Schema type names with articles: "a string or null".
func typeNames(ts []string) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = article(t)
	}
	return strings.Join(out, " or ")
}

// article prefixes a JSON type name with its indefinite article.
func article(t string) string {
	switch t {
	case "null":
		return "null"
	case "object", "array", "integer":
		return "an " + t
	}
	return "a " + t
}

// display renders a schema value (enum member, const, instance value) briefly.
func display(v any) string {
	if s, ok := v.(string); ok {
		return quoteValue(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// displayList renders enum members: "a", "b", "c".
func displayList(vs []any) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = display(v)
	}
	return strings.Join(out, ", ")
}
