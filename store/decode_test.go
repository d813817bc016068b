package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// referenceDecode is what Query decoded with before decodeQueryResponse:
// encoding/json with UseNumber, here also refusing anything after the
// answer but white space, as decodeQueryResponse does.
func referenceDecode(data []byte) (queryResponse, error) {
	if !json.Valid(data) {
		return queryResponse{}, errors.New("invalid JSON")
	}
	var resp queryResponse
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := dec.Decode(&resp)
	return resp, err
}

// hasDuplicateKeys reports an object with two keys that encoding/json
// would take for one field (equal but for case): it then merges the
// values in ways no InfluxDB answer needs, so the comparison skips them.
func hasDuplicateKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object bool
		keys   []string
		key    bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if k, ok := tok.(string); ok {
				for _, seen := range top.keys {
					if strings.EqualFold(seen, k) {
						return true
					}
				}
				top.keys = append(top.keys, k)
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true // a value ended: a key is next
		}
	}
}

func checkDecodeLikeEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	got, err := decodeQueryResponse(data)
	want, werr := referenceDecode(data)
	if hasDuplicateKeys(data) {
		return
	}
	if (err == nil) != (werr == nil) {
		t.Fatalf("decodeQueryResponse(%q): error %v; encoding/json: %v", data, err, werr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeQueryResponse(%q)\n = %#v\nencoding/json: %#v", data, got, want)
	}
}

var decodeSeeds = []string{
	`{"results":[{"statement_id":0,"series":[{"name":"figure","tags":{"entity":"BJ-Dongsi"},"columns":["time","value","provider"],"values":[[1717171200,35.5,"cnemc"],[1717174800,null,"x"],[1717178400,-1.5e-3,""]]}]}]}` + "\n",
	`{"results":[{"statement_id":0}]}`,
	`{"results":[{"statement_id":0,"error":"database not found: gm"}]}`,
	`{"error":"error parsing query: found EOF"}`,
	`{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","s"],"values":[[0,"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800\u0041\udc00x"]],"partial":true}],"messages":[{"level":"warning","text":"x"}]}]}`,
	"{\"results\":[{\"series\":[{\"name\":\"\xff\xfe ok \xe4\xb8\xad\",\"values\":[[true,false,null,{\"a\":[1,{}]},[]]]}]}]}",
	`{"Results":[{"SERIES":[{"Name":"n","Tags":null,"Columns":[null,"c"],"values":null}]}]}`,
	`{"results":null,"error":null}`, `null`, `[]`, `{"results":{}}`, `{"results":[{"series":[{"name":5}]}]}`,
	`{"results":[{"series":[{"tags":{"a":1}}]}]}`, `{"results":[{"series":[{"values":[1]}]}]}`,
	`{"results":[1]}`, `{"results":[null,{}]}`, `{} x`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`, `{"a":"\x01"}`,
	`{"a":"\u12"}`, `{"a":"\q"}`, `{"a":tru}`, `{"a" 1}`, `{"a":1,}`, `{,}`, ``, `{"a":[1,]}`, `{"a":"\ud800\ud800"}`,
	`{"results":[{"series":[{"name":"x","tags":{"k\u00e9":"v\\"}}]}]}`, `{"ſeries":1}`, `{"results":[{"ſeries":[{"name":"a"}]}]}`,
}

func TestDecodeQueryResponseLikeEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecodeLikeEncodingJSON(t, []byte(s))
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 300 {
		checkDecodeLikeEncodingJSON(t, randomAnswer(rng))
	}
}

func FuzzDecodeQueryResponse(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 20 {
		f.Add(randomAnswer(rng))
	}
	f.Fuzz(checkDecodeLikeEncodingJSON)
}

// randomAnswer is an InfluxDB-shaped answer of random series, tags,
// strings (escapes, any Unicode, some invalid UTF-8), numbers and nulls,
// with members InfluxDB adds that the decoder skips.
func randomAnswer(rng *rand.Rand) []byte {
	str := func() string {
		var b strings.Builder
		for range rng.IntN(8) {
			switch rng.IntN(6) {
			case 0:
				b.WriteRune(rune(rng.IntN(0x110000)))
			case 1:
				b.WriteByte(byte(rng.IntN(256)))
			case 2:
				b.WriteString(`"\<>&`)
			default:
				b.WriteByte(byte('a' + rng.IntN(26)))
			}
		}
		return b.String()
	}
	num := func() any {
		switch rng.IntN(4) {
		case 0:
			return json.Number(fmt.Sprint(rng.Int64N(1 << 40)))
		case 1:
			return json.Number(fmt.Sprintf("%g", rng.NormFloat64()*1e6))
		case 2:
			return json.Number(fmt.Sprintf("-%d.%03de%+d", rng.IntN(100), rng.IntN(1000), rng.IntN(30)-15))
		}
		return nil
	}
	var results []any
	for range rng.IntN(3) {
		var series []any
		for range rng.IntN(4) {
			tags := map[string]any{}
			for range rng.IntN(3) {
				tags[str()] = str()
			}
			var values []any
			for range rng.IntN(6) {
				values = append(values, []any{num(), num(), str(), rng.IntN(2) == 0})
			}
			s := map[string]any{"name": str(), "columns": []any{"time", "value", str(), "b"}, "values": values}
			if len(tags) > 0 {
				s["tags"] = tags
			}
			series = append(series, s)
		}
		r := map[string]any{"statement_id": rng.IntN(3), "series": series}
		if rng.IntN(5) == 0 {
			r["error"] = str()
			r["messages"] = []any{map[string]any{"level": "warning", "text": str()}}
		}
		results = append(results, r)
	}
	b, err := json.Marshal(map[string]any{"results": results})
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkDecodeQueryResponse: an answer of kept months as a report
// reads them (strings of a month's days, a number a row), against
// encoding/json.
func BenchmarkDecodeQueryResponse(b *testing.B) {
	var days strings.Builder
	for d := 1; d <= 31; d++ {
		fmt.Fprintf(&days, "%d:%.1f:24,", d, 35.5+float64(d))
	}
	var buf bytes.Buffer
	buf.WriteString(`{"results":[{"statement_id":0,"series":[`)
	for s := range 100 {
		if s > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"name":"rollup_month","tags":{"entity":"station-%03d","indicator":"pm25"},"columns":["time","days","stamp"],"values":[`, s)
		for m := range 48 {
			if m > 0 {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `[%d,%q,"%016x"]`, 1362067200+m*2678400, days.String(), m)
		}
		buf.WriteString("]}")
	}
	buf.WriteString("]}]}\n")
	data := buf.Bytes()
	b.Run("decodeQueryResponse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeQueryResponse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var resp queryResponse
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			if err := dec.Decode(&resp); err != nil && err != io.EOF {
				b.Fatal(err)
			}
		}
	})
}
