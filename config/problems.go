package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// keyedError is one problem of a section, under the key it is about
// (relative to the section: "url", "sections[1].name"). Validate turns it
// into an Error whose Field is the full key ("influx.url"), which Load
// locates in the file.
type keyedError struct {
	key string
	err error
}

func (e keyedError) Error() string { return e.key + ": " + e.err.Error() }
func (e keyedError) Unwrap() error { return e.err }

func keyed(key string, err error) error { return keyedError{key: key, err: err} }

// sectionErrors lists the problems a section's validate returned (one,
// or several joined with errors.Join), each as an Error of file under
// section's key, extended by the problem's own key.
func sectionErrors(file, section string, err error) Errors {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out Errors
		for _, e := range j.Unwrap() {
			out = append(out, sectionErrors(file, section, e)...)
		}
		return out
	}
	if k, ok := err.(keyedError); ok {
		return Errors{{File: file, Field: joinKey(section, k.key), Err: k.err}}
	}
	return Errors{{File: file, Field: section, Err: err}}
}

func joinKey(parent, key string) string {
	switch {
	case parent == "":
		return key
	case strings.HasPrefix(key, "["):
		return parent + key
	}
	return parent + "." + key
}

// keyLine is the line of key ("water.sections[1].target_class") in the
// document body, or of its nearest ancestor the file has (a key left at
// its default is reported where its section is); 0 when not even the
// section is in the file.
func keyLine(body ast.Node, key string) int {
	line := 0
	node := body
	for _, seg := range keySegments(key) {
		next, keyNode := child(node, seg)
		if next == nil {
			break
		}
		line = keyNode.GetToken().Position.Line
		node = next
	}
	return line
}

// keySegments splits "a.b[2].c[\"x\"]" into a, b, [2], c, ["x"].
func keySegments(key string) []string {
	var segs []string
	for key != "" {
		switch {
		case key[0] == '.':
			key = key[1:]
		case key[0] == '[':
			end := strings.IndexByte(key, ']')
			if strings.HasPrefix(key, `["`) {
				if q := strings.Index(key, `"]`); q > 0 {
					end = q + 1
				}
			}
			if end < 0 {
				return append(segs, key)
			}
			segs = append(segs, key[:end+1])
			key = key[end+1:]
		default:
			end := strings.IndexAny(key, ".[")
			if end < 0 {
				end = len(key)
			}
			segs = append(segs, key[:end])
			key = key[end:]
		}
	}
	return segs
}

// child is the value under one key segment of node and the node whose
// line names it (the mapping key, or the sequence item).
func child(node ast.Node, seg string) (value, at ast.Node) {
	if strings.HasPrefix(seg, "[") && !strings.HasPrefix(seg, `["`) {
		seq, ok := node.(*ast.SequenceNode)
		i, err := strconv.Atoi(strings.Trim(seg, "[]"))
		if !ok || err != nil || i < 0 || i >= len(seq.Values) {
			return nil, nil
		}
		return seq.Values[i], seq.Values[i]
	}
	name := seg
	if strings.HasPrefix(seg, `["`) {
		if s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]")); err == nil {
			name = s
		}
	}
	for _, kv := range mappingValues(node) {
		if kv.Key.String() == name {
			return kv.Value, kv.Key
		}
	}
	return nil, nil
}

func mappingValues(node ast.Node) []*ast.MappingValueNode {
	switch m := node.(type) {
	case *ast.MappingNode:
		return m.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}
	}
	return nil
}

// decodeProblems decodes body into v key by key, so that every key the
// decoder refuses (unknown, or a value of the wrong type such as
// "timeout: xyz") is reported, not only the first. v keeps what decodes.
// Structs are walked field by field through their yaml tags, lists of
// structs item by item; anything else is decoded as one value.
func decodeProblems(file string, body ast.Node, v reflect.Value, key string) Errors {
	if kvs := mappingValues(body); kvs != nil && v.Kind() == reflect.Struct {
		fields := yamlFields(v.Type())
		var errs Errors
		for _, kv := range kvs {
			name := kv.Key.String()
			i, ok := fields[name]
			if !ok {
				errs = append(errs, &Error{File: file, Line: kv.Key.GetToken().Position.Line, Field: joinKey(key, name),
					Err: fmt.Errorf("unknown key (allowed: %s)", allowedKeys(fields))})
				continue
			}
			errs = append(errs, decodeProblems(file, kv.Value, v.Field(i), joinKey(key, name))...)
		}
		return errs
	}
	if seq, ok := body.(*ast.SequenceNode); ok && v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct {
		items := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		var errs Errors
		for i, item := range seq.Values {
			errs = append(errs, decodeProblems(file, item, items.Index(i), fmt.Sprintf("%s[%d]", key, i))...)
		}
		v.Set(items)
		return errs
	}
	if err := yaml.NodeToValue(body, v.Addr().Interface(), yaml.DisallowUnknownField()); err != nil {
		line := yamlErrorLine(err)
		if line == 0 {
			line = body.GetToken().Position.Line
		}
		return Errors{{File: file, Line: line, Field: key, Err: typeProblem(body, v.Type(), err)}}
	}
	return nil
}

// typeProblem says what a scalar of the wrong type should have been, in
// the file's terms rather than Go's ("cannot unmarshal string into Go
// value of type int").
func typeProblem(node ast.Node, t reflect.Type, err error) error {
	if sc, scalar := node.(ast.ScalarNode); scalar {
		got := strconv.Quote(fmt.Sprint(sc.GetValue()))
		switch {
		case t == reflect.TypeOf(time.Duration(0)):
			return fmt.Errorf("%s is not a duration (like 20s, 5m or 1h30m)", got)
		case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
			return fmt.Errorf("%s is not a whole number", got)
		case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
			return fmt.Errorf("%s is not a number", got)
		case t.Kind() == reflect.Bool:
			return fmt.Errorf("%s is not true or false", got)
		}
	}
	return cleanYAMLError(err)
}

// yamlFields maps the yaml keys of a struct to its field indexes.
func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	return fields
}

func allowedKeys(fields map[string]int) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
