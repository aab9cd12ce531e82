package signatures

import (
	"fmt"
	"strings"
)

// Built-in rules use SIDs in [BuiltinSIDBase, BuiltinSIDBase+1000), a block in
// Suricata's local-use range (1,000,000-1,999,999) reserved by wirescan.
const BuiltinSIDBase = 1_990_000

// eicar is the 68-byte EICAR anti-virus test string.
const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// Builtin returns the compiled-in default set: the EICAR test string in file
// contents (sid BuiltinSIDBase+1), one alert per file that carries it. (A hash
// rule for the EICAR file would only repeat that alert.) It never fails: the
// rule is fixed and tested.
func Builtin() *Set {
	var hexs strings.Builder
	for i := 0; i < len(eicar); i++ {
		fmt.Fprintf(&hexs, "%02X", eicar[i])
		if i+1 < len(eicar) {
			hexs.WriteByte(' ')
		}
	}
	r1, err := ParseRule(fmt.Sprintf(`alert file any any -> any any (msg:"WIRESCAN EICAR test file"; file_data; content:"|%s|"; classtype:misc-activity; sid:%d; rev:1;)`,
		hexs.String(), BuiltinSIDBase+1))
	if err != nil {
		panic("signatures: builtin rule: " + err.Error()) // fixed text, covered by tests
	}
	r1.File = "builtin"
	s, err := Compile([]*Rule{r1}, Options{})
	if err != nil {
		panic("signatures: builtin set: " + err.Error())
	}
	return s
}
