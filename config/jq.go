package config

import "github.com/itchyny/gojq"

func parseJQ(expr string) (*gojq.Query, error) { return gojq.Parse(expr) }

// assignOps are jq's assignment and update operators.
var assignOps = map[gojq.Operator]bool{
	gojq.OpAssign: true, gojq.OpModify: true, gojq.OpUpdateAdd: true, gojq.OpUpdateSub: true,
	gojq.OpUpdateMul: true, gojq.OpUpdateDiv: true, gojq.OpUpdateMod: true, gojq.OpUpdateAlt: true,
}

// findAssign returns the first assignment or update operator in q, looking
// through pipes, commas, parentheses and the operands of other operators.
func findAssign(q *gojq.Query) (string, bool) {
	if q == nil {
		return "", false
	}
	if assignOps[q.Op] {
		return q.Op.String(), true
	}
	if op, ok := findAssign(q.Left); ok {
		return op, true
	}
	if op, ok := findAssign(q.Right); ok {
		return op, true
	}
	if q.Term != nil && q.Term.Type == gojq.TermTypeQuery {
		return findAssign(q.Term.Query)
	}
	return "", false
}

// boolFuncs always give a boolean; valueFuncs never do.
var (
	boolFuncs = map[string]bool{
		"not": true, "test": true, "startswith": true, "endswith": true, "contains": true, "inside": true,
		"has": true, "in": true, "any": true, "all": true, "isempty": true, "isvalid": true,
		"isnan": true, "isinfinite": true, "isnormal": true, "true": true, "false": true,
	}
	valueFuncs = map[string]string{
		"length": "a number", "utf8bytelength": "a number", "type": "a string", "tostring": "a string",
		"tonumber": "a number", "keys": "an array", "keys_unsorted": "an array", "ascii_downcase": "a string",
		"ascii_upcase": "a string", "tojson": "a string", "to_entries": "an array", "now": "a number",
	}
)

// valueKind names the kind of value q gives when it is known never to be
// a boolean ("a string", "a number", …), or returns "".
func valueKind(q *gojq.Query) string {
	if q == nil {
		return ""
	}
	switch q.Op {
	case gojq.OpPipe:
		return valueKind(q.Right)
	case gojq.OpComma, gojq.OpAlt:
		if l, r := valueKind(q.Left), valueKind(q.Right); l != "" && r != "" {
			return l
		}
		return ""
	case gojq.OpAdd, gojq.OpSub, gojq.OpMul, gojq.OpDiv, gojq.OpMod:
		return "the result of arithmetic"
	case 0:
	default:
		return "" // comparisons, and, or: booleans
	}
	t := q.Term
	if t == nil || len(t.SuffixList) > 0 {
		return ""
	}
	switch t.Type {
	case gojq.TermTypeString, gojq.TermTypeFormat:
		return "a string"
	case gojq.TermTypeNumber, gojq.TermTypeUnary:
		return "a number"
	case gojq.TermTypeObject:
		return "an object"
	case gojq.TermTypeArray:
		return "an array"
	case gojq.TermTypeNull:
		return "null"
	case gojq.TermTypeQuery:
		return valueKind(t.Query)
	case gojq.TermTypeFunc:
		if t.Func != nil && !boolFuncs[t.Func.Name] {
			return valueFuncs[t.Func.Name]
		}
	}
	return ""
}
