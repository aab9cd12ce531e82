package signatures

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// Built-in rules use SIDs in [BuiltinSIDBase, BuiltinSIDBase+1000), a block in
// Suricata's local-use range (1,000,000-1,999,999) reserved by wirescan.
const BuiltinSIDBase = 1_990_000

// eicar is the 68-byte EICAR anti-virus test string.
const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// eicarSHA256 is the SHA-256 of the 68-byte EICAR file.
const eicarSHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"

// Builtin returns the compiled-in default set: the EICAR test string in file
// contents (sid BuiltinSIDBase+1) and the EICAR file's SHA-256 (sid
// BuiltinSIDBase+2). It never fails: the rules are fixed and tested.
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
	r2 := newClamRule("WIRESCAN EICAR test file (sha256)", "builtin:"+eicarSHA256)
	r2.SID, r2.Classtype, r2.File = BuiltinSIDBase+2, "misc-activity", "builtin"
	if _, err := hex.DecodeString(eicarSHA256); err != nil {
		panic("signatures: builtin hash: " + err.Error())
	}
	r2.file.clamHash = &clamHash{algo: "sha256", sum: eicarSHA256, size: -1}
	s, err := Compile([]*Rule{r1, r2}, Options{})
	if err != nil {
		panic("signatures: builtin set: " + err.Error())
	}
	return s
}
