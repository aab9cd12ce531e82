package signatures

import (
	"errors"
	"fmt"

	"github.com/wirescan/wirescan/signatures/thresholdspec"
)

// threshold parses the threshold: and detection_filter: keywords into
// Rule.Threshold. As in Suricata, a rule carries at most one of them.
func (p *ruleParser) threshold(o option) error {
	if p.r.Threshold != nil {
		return fmt.Errorf("keyword %q: the rule already has %s (one threshold or detection_filter per rule)", o.name, p.r.Threshold.Keyword())
	}
	spec, err := thresholdspec.ParseKeyword(o.name, o.val)
	var unsup *thresholdspec.UnsupportedError
	if errors.As(err, &unsup) {
		return unsupported("keyword %q option %q", o.name, unsup.Option)
	}
	if err != nil {
		return wrapKw(o.name, err)
	}
	p.r.Threshold = &spec
	return nil
}
