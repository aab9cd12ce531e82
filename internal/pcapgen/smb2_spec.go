package pcapgen

// Specification constants for the SMB2 messages pcapgen writes, from
// [MS-SMB2] (section numbers in comments) and [MS-NLMP].

// SMBPort is the TCP port of SMB over direct TCP (NBSS framing, [MS-SMB2] 2.1).
const SMBPort = 445

// smb2 header ([MS-SMB2] 2.2.1.2).
const (
	smb2HeaderSize    = 64
	smb2FlagsResponse = 0x00000001
	smb2NextCommandAt = 20 // offset of NextCommand in the header
	smb2Dialect210    = 0x0210
	smb2ProcessID     = 0x0000feff
)

// smb2 commands ([MS-SMB2] 2.2.1.2, Command).
const (
	smb2Negotiate      = 0x0000
	smb2SessionSetup   = 0x0001
	smb2Logoff         = 0x0002
	smb2TreeConnect    = 0x0003
	smb2TreeDisconnect = 0x0004
	smb2Create         = 0x0005
	smb2Close          = 0x0006
	smb2Read           = 0x0008
	smb2Write          = 0x0009
	smb2Echo           = 0x000d
)

// NT status codes ([MS-ERREF] 2.3.1).
const (
	statusSuccess                = 0x00000000
	statusMoreProcessingRequired = 0xc0000016
)

// StructureSize of each body ([MS-SMB2] 2.2.3 ... 2.2.22).
const (
	ssNegotiateReq      = 36
	ssNegotiateResp     = 65
	ssSessionSetupReq   = 25
	ssSessionSetupResp  = 9
	ssTreeConnectReq    = 9
	ssTreeConnectResp   = 16
	ssCreateReq         = 57
	ssCreateResp        = 89
	ssReadReq           = 49
	ssReadResp          = 17
	ssWriteReq          = 49
	ssWriteResp         = 17
	ssCloseReq          = 24
	ssCloseResp         = 60
	ssTreeDisconnect    = 4
	ssLogoff            = 4
	ssEcho              = 4
	smb2ReadDataOffset  = smb2HeaderSize + 16 // READ response Buffer
	smb2WriteDataOffset = smb2HeaderSize + 48 // WRITE request Buffer
)

// CREATE values ([MS-SMB2] 2.2.13, [MS-FSCC]).
const (
	accessRead              = 0x00120089 // FILE_READ_DATA|READ_EA|READ_ATTRIBUTES|READ_CONTROL|SYNCHRONIZE
	accessReadWrite         = 0x0012019f // the above plus WRITE_DATA|APPEND_DATA|WRITE_EA|WRITE_ATTRIBUTES
	shareReadWriteDelete    = 0x00000007
	dispositionOpen         = 0x00000001 // FILE_OPEN
	dispositionOverwriteIf  = 0x00000005 // FILE_OVERWRITE_IF
	optionNonDirectory      = 0x00000040 // FILE_NON_DIRECTORY_FILE
	impersonation           = 0x00000002
	attrNormal              = 0x00000080
	attrArchive             = 0x00000020
	actionOpened            = 0x00000001
	actionOverwritten       = 0x00000003
	shareTypeDisk           = 0x01
	shareTypePipe           = 0x02
	maximalAccessFull       = 0x001f01ff
	capLargeMTU             = 0x00000004
	securitySigningEnabled  = 0x0001
	serverMaxTransferLength = 8 << 20
)

// filetimeEpoch is 1970-01-01 in FILETIME units (100 ns since 1601-01-01).
const filetimeEpoch = 116444736000000000

// NTLMSSP ([MS-NLMP] 2.2.1, 2.2.2.5).
const (
	ntlmNegotiate    = 1
	ntlmChallenge    = 2
	ntlmAuthenticate = 3
	// UNICODE|REQUEST_TARGET|NTLM|ALWAYS_SIGN|EXTENDED_SESSIONSECURITY|128|56
	ntlmFlagsNegotiate = 0xa0088205
	// the above plus TARGET_TYPE_SERVER|TARGET_INFO
	ntlmFlagsChallenge = ntlmFlagsNegotiate | 0x00020000 | 0x00800000
	avEOL              = 0
	avNbComputerName   = 1
	avNbDomainName     = 2
)

// ASN.1 object identifiers, DER-encoded contents.
const (
	oidSPNEGO  = "\x2b\x06\x01\x05\x05\x02"                 // 1.3.6.1.5.5.2
	oidNTLMSSP = "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a" // 1.3.6.1.4.1.311.2.2.10
)
