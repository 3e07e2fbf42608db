package application

// Formats (generations) of a Description, as read by Parse. Cadenza reads
// all three and writes none: application descriptions come from their
// developers (the samples Cadenza ships are FormatV1).
const (
	// FormatV1 is the newest format: apiVersion "v1", no kind, a top-level
	// id, profile types helm, compose and custom, deviceConstraints.
	FormatV1 = "v1"
	// FormatV1Alpha is the P1-era format: apiVersion margo.org/v1-alpha1,
	// kind ApplicationDescription, metadata.id, profile types helm.v3 and
	// compose, requiredResources.
	FormatV1Alpha = "margo.org/v1-alpha1"
	// FormatV1AlphaTopID is the generation of the spec's LinkML data model
	// and its examples, between the two: the FormatV1Alpha envelope (apiVersion
	// margo.org/v1-alpha1, kind ApplicationDescription) with the id at the top
	// level, profile types helm and compose (helm.v3, which some versions of
	// those examples write, reads as helm), requiredResources.
	FormatV1AlphaTopID = "margo.org/v1-alpha1+id"
)

// Setting data types of configuration schema rules.
const (
	TypeString  = "string"
	TypeInteger = "integer"
	TypeDouble  = "double"
	TypeBoolean = "boolean"
	TypeArray   = "array"
)

// Description is a normalised ApplicationDescription.
type Description struct {
	Format        string               `json:"format"`
	ID            string               `json:"id"`
	Name          string               `json:"name"`
	Version       string               `json:"version"`
	Description   string               `json:"description,omitempty"`
	Catalog       Catalog              `json:"catalog"`
	Profiles      []Profile            `json:"profiles"`
	Parameters    map[string]Parameter `json:"parameters,omitempty"`
	Configuration Configuration        `json:"configuration"`
}

// Catalog is metadata.catalog: what a catalog shows of the application.
// File members (Icon, DescriptionFile, ...) are package-relative paths.
type Catalog struct {
	DescriptionFile string         `json:"descriptionFile,omitempty"`
	Icon            string         `json:"icon,omitempty"`
	LicenseFile     string         `json:"licenseFile,omitempty"`
	ReleaseNotes    string         `json:"releaseNotes,omitempty"`
	Site            string         `json:"site,omitempty"`
	Tagline         string         `json:"tagline,omitempty"`
	Tags            []string       `json:"tags,omitempty"`
	Authors         []Person       `json:"authors,omitempty"`
	Organizations   []Organization `json:"organizations,omitempty"`
}

// Person is a catalog author.
type Person struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Organization is a catalog organization.
type Organization struct {
	Name string `json:"name"`
	Site string `json:"site,omitempty"`
}

// Profile is one deployment profile.
type Profile struct {
	Type        string       `json:"type"` // helm, compose or custom
	ID          string       `json:"id"`
	Description string       `json:"description,omitempty"`
	Components  []Component  `json:"components"`
	Constraints *Constraints `json:"constraints,omitempty"`
}

// Component is one component of a profile, installed in list order.
type Component struct {
	Name       string     `json:"name"`
	Properties Properties `json:"properties"`
}

// Properties are a component's properties. Other holds the members this
// model does not name (custom profiles).
type Properties struct {
	Repository      string         `json:"repository,omitempty"`
	Revision        string         `json:"revision,omitempty"`
	PackageLocation string         `json:"packageLocation,omitempty"`
	KeyLocation     string         `json:"keyLocation,omitempty"`
	Wait            *bool          `json:"wait,omitempty"`
	Timeout         string         `json:"timeout,omitempty"`
	Other           map[string]any `json:"other,omitempty"`
}

// Constraints are a profile's deviceConstraints (newest format) or
// requiredResources (older format).
type Constraints struct {
	CPUCores      float64  `json:"cpuCores,omitempty"`
	Architectures []string `json:"architectures,omitempty"`
	Memory        string   `json:"memory,omitempty"`
	Storage       string   `json:"storage,omitempty"`
	Peripherals   []any    `json:"peripherals,omitempty"`
	Interfaces    []any    `json:"interfaces,omitempty"`
	// EligibilityRules (newest format) are ORed: a device is eligible when
	// one rule matches.
	EligibilityRules []EligibilityRule `json:"eligibilityRules,omitempty"`
}

// Match operators of an Expression.
const (
	OpIn           = "In"
	OpNotIn        = "NotIn"
	OpExists       = "Exists"
	OpDoesNotExist = "DoesNotExist"
	OpGt           = "Gt"
	OpLt           = "Lt"
	OpContainsAll  = "ContainsAll"
	OpContainsAny  = "ContainsAny"
)

// Operators lists the match operators in spec order.
var Operators = []string{OpIn, OpNotIn, OpExists, OpDoesNotExist, OpGt, OpLt, OpContainsAll, OpContainsAny}

// EligibilityRule is one deviceConstraints.eligibilityRules entry. At least
// one selector is set; when both are, both must match.
type EligibilityRule struct {
	// PropertySelector keys are RFC 6901 pointers into the device's
	// capability properties.
	PropertySelector *Selector `json:"propertySelector,omitempty"`
	// LabelSelector keys are exact device label keys.
	LabelSelector *Selector `json:"labelSelector,omitempty"`
}

// Selector is {matchExpressions[]}; its expressions are ANDed.
type Selector struct {
	MatchExpressions []Expression `json:"matchExpressions"`
}

// Expression is one match expression. Values hold scalars (string, number
// as json.Number after Parse, bool). ItemSelector is set only for
// ContainsAll and ContainsAny; its keys are pointers relative to one element
// of the array the expression's key selects.
type Expression struct {
	Key          string    `json:"key"`
	Operator     string    `json:"operator"`
	Values       []any     `json:"values,omitempty"`
	ItemSelector *Selector `json:"itemSelector,omitempty"`
}

// Parameter is one application parameter. Value is nil when the
// description gives no default.
type Parameter struct {
	Value   any      `json:"value,omitempty"`
	Targets []Target `json:"targets"`
}

// Target says where a parameter's value goes.
type Target struct {
	Pointer    string   `json:"pointer"`
	Components []string `json:"components"`
}

// Configuration is how a user sets parameters: settings grouped in
// sections, each validated by a named schema rule.
type Configuration struct {
	Sections []Section `json:"sections,omitempty"`
	Rules    []Rule    `json:"schema,omitempty"`
}

// Section groups settings.
type Section struct {
	Name     string    `json:"name"`
	Settings []Setting `json:"settings"`
}

// Setting is one user-editable parameter.
type Setting struct {
	Parameter   string `json:"parameter"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Immutable   bool   `json:"immutable,omitempty"`
	Schema      string `json:"schema"`
}

// Rule is one configuration schema rule. Unset optional bounds are nil.
// AllowEmpty defaults to false. A rule with Options is a select rule.
type Rule struct {
	Name         string   `json:"name"`
	DataType     string   `json:"dataType"`
	AllowEmpty   bool     `json:"allowEmpty,omitempty"`
	MinLength    *int     `json:"minLength,omitempty"`
	MaxLength    *int     `json:"maxLength,omitempty"`
	RegexMatch   string   `json:"regexMatch,omitempty"`
	MinValue     *float64 `json:"minValue,omitempty"`
	MaxValue     *float64 `json:"maxValue,omitempty"`
	MinPrecision *int     `json:"minPrecision,omitempty"`
	MaxPrecision *int     `json:"maxPrecision,omitempty"`
	Multiselect  bool     `json:"multiselect,omitempty"`
	Options      []any    `json:"options,omitempty"`
}

// Rule returns the schema rule named name.
func (c Configuration) Rule(name string) (Rule, bool) {
	for _, r := range c.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}

// Settings returns every setting of every section, in document order.
func (c Configuration) Settings() []Setting {
	var out []Setting
	for _, s := range c.Sections {
		out = append(out, s.Settings...)
	}
	return out
}

// Components returns the names of the components of every profile.
func (d *Description) Components() map[string]bool {
	out := map[string]bool{}
	for _, p := range d.Profiles {
		for _, c := range p.Components {
			out[c.Name] = true
		}
	}
	return out
}
