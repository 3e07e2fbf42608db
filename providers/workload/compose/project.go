package compose

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/compose/v2/pkg/api"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// loadProject loads the compose file as project name, with params as
// interpolation variables and as environment variables of every service,
// and the labels the compose CLI sets (so that "docker compose ls/ps" on
// the device sees the project too).
func loadProject(ctx context.Context, file, name string, params map[string]string) (*types.Project, error) {
	env := make([]string, 0, len(params))
	for _, k := range sortedKeys(params) {
		env = append(env, k+"="+params[k])
	}
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithName(name),
		cli.WithEnv(env),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "compose options")
	}
	project, err := opts.LoadProject(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fault.Wrap(err, fault.BadRequest, "invalid compose package")
	}
	for svcName, s := range project.Services {
		if s.Environment == nil {
			s.Environment = types.MappingWithEquals{}
		}
		for k, v := range params {
			s.Environment[k] = &v
		}
		s.CustomLabels = map[string]string{
			api.ProjectLabel:     project.Name,
			api.ServiceLabel:     svcName,
			api.VersionLabel:     api.ComposeVersion,
			api.WorkingDirLabel:  project.WorkingDir,
			api.ConfigFilesLabel: strings.Join(project.ComposeFiles, ","),
			api.OneoffLabel:      "False",
		}
		project.Services[svcName] = s
	}
	return project, nil
}

// envParams turns a component's parameters into environment variables:
// strings as they are, numbers in their shortest form, booleans as
// true/false, arrays as comma-separated values. A name that cannot be an
// environment variable is a BadRequest.
func envParams(params map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(params))
	for k, v := range params {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return nil, fault.New(fault.BadRequest, "parameter pointer %q is not a valid environment variable name", k)
		}
		s, err := envValue(v)
		if err != nil {
			return nil, fault.Wrap(err, fault.BadRequest, "parameter %s", k)
		}
		out[k] = s
	}
	return out, nil
}

func envValue(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case json.Number:
		return v.String(), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s, err := envValue(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	default:
		return "", fmt.Errorf("unsupported value type %T", v)
	}
}

// inputDigest identifies what an Apply asks for: the package bytes, the
// revision and the parameters. Equal digests mean nothing to change.
func inputDigest(pkg []byte, revision string, params map[string]string) string {
	h := sha256.New()
	h.Write(pkg)
	fmt.Fprintf(h, "\x00revision=%s\x00", revision)
	for _, k := range sortedKeys(params) {
		fmt.Fprintf(h, "%s=%s\x00", k, params[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
