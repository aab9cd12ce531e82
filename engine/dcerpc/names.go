package dcerpc

// Well-known DCERPC interfaces and procedure names, as Suricata logs them
// (dcerpc.interfaces[].service / .procedure). Unknown ones are omitted.

var services = map[string]string{
	"1ff70682-0a51-30e8-076d-740be8cee98b": "atsvc",
	"367abb81-9844-35f1-ad32-98f038001003": "svcctl",
	"12345678-1234-abcd-ef00-0123456789ab": "spoolss",
	"12345778-1234-abcd-ef00-0123456789ab": "lsarpc",
	"12345778-1234-abcd-ef00-0123456789ac": "samr",
	"12345678-1234-abcd-ef00-01234567cffb": "netlogon",
	"e3514235-4b06-11d1-ab04-00c04fc2dcd2": "drsuapi",
	"e1af8308-5d1f-11c9-91a4-08002b14a0fa": "epmapper",
	"4b324fc8-1670-01d3-1278-5a47bf6ee188": "srvsvc",
	"6bffd098-a112-3610-9833-46c3f87e345a": "wkssvc",
	"338cd001-2244-31f1-aaaa-900038001003": "winreg",
}

var procedures = map[string]map[uint16]string{
	"atsvc": {0: "NetrJobAdd", 1: "NetrJobDel", 2: "NetrJobEnum", 3: "NetrJobGetInfo"},
	"netlogon": {
		2: "NetrLogonSamLogon", 4: "NetrServerReqChallenge", 15: "NetrServerAuthenticate2",
		26: "NetrServerAuthenticate3", 30: "NetrServerPasswordSet2",
	},
	"drsuapi": {
		0: "DRSBind", 1: "DRSUnbind", 3: "DRSGetNCChanges", 12: "DRSCrackNames",
		16: "DRSDomainControllerInfo",
	},
	"epmapper": {2: "ept_lookup", 3: "ept_map"},
}

// ServiceName names a well-known interface (by its canonical UUID).
func ServiceName(u [16]byte) (string, bool) {
	s, ok := services[UUIDString(u)]
	return s, ok
}

// ProcedureName names a well-known operation of a service.
func ProcedureName(service string, opnum uint16) (string, bool) {
	s, ok := procedures[service][opnum]
	return s, ok
}
