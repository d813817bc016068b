package report

// ruleNamesZh say in Chinese what each rejection rule of ingest refused,
// for the report's data-quality section: the rejection log records the
// stable English rule code (ingest/validate.go) and an English message for
// the CLI and push users, which the Chinese report must not quote. The
// wording lives here rather than beside the codes because the report may
// not depend on package ingest (internal/arch); TestEveryRuleHasChineseName
// reads ingest's sources so that a new rule cannot go without one.
var ruleNamesZh = map[string]string{
	// Row and value rules.
	"unknown_indicator":     "指标不在目录中",
	"unit_not_convertible":  "单位不符或无法换算",
	"non_numeric":           "数值不是数字",
	"non_finite":            "数值无穷大或溢出",
	"missing_value":         "缺少数值",
	"out_of_range":          "数值超出物理范围",
	"bad_time":              "时间无效",
	"future_time":           "时间晚于当前",
	"conflicting_duplicate": "重复报送且数值不一致",
	"missing_entity":        "缺少对象",
	"unexpected_entity":     "全区指标不应填写对象",
	"bad_tag":               "对象或报送方名称不可用",
	"bad_characters":        "名称含控制或不可见字符",
	"looks_like_percent":    "疑似百分数未加%",
	"implausible_value":     "数值存疑，暂缓入库待确认",
	"provider_not_allowed":  "无权以该报送方名义报送",
	"bad_encoding":          "不是UTF-8编码",
	"malformed_row":         "行格式错误",
	"status_not_accepted":   "数据状态标记为无效",
	"line_too_long":         "行过长",
	// Input rules: the whole file or push was refused.
	"empty_input":        "文件为空",
	"no_data_rows":       "只有表头，没有数据行",
	"malformed_header":   "表头格式无法识别",
	"malformed_input":    "文件损坏或格式错误",
	"too_deep":           "JSON嵌套过深",
	"unsupported_format": "格式或映射不受支持",
	"too_large":          "文件过大",
}

// ruleText is a rejection rule as the report writes it: in the Chinese
// edition its description with the code after it, "时间无效（bad_time）",
// so that staff can read it and still search for the code; in the English
// edition, and for a code without a description, the code itself.
func ruleText(code string, lang Lang) string {
	zh, ok := ruleNamesZh[code]
	if lang == LangEn || !ok {
		return code
	}
	return zh + "（" + code + "）"
}
