package smb

// Specification constants from MS-SMB2, MS-CIFS/MS-SMB and RFC 1002 (NetBIOS
// session service). Our own limits live in Config, not here.

// NetBIOS session service message types (RFC 1002 section 4.3.1).
const (
	nbssMessage          = 0x00
	nbssSessionRequest   = 0x81
	nbssPositiveResponse = 0x82
	nbssNegativeResponse = 0x83
	nbssRetargetResponse = 0x84
	nbssKeepAlive        = 0x85
	nbssHeaderLen        = 4
)

// Protocol identifiers found at the start of an SMB message.
const (
	magicSMB1      = 0xFF // "\xffSMB"
	magicSMB2      = 0xFE // "\xfeSMB"
	magicTransform = 0xFD // "\xfdSMB" SMB3 encryption transform header
	magicCompress  = 0xFC // "\xfcSMB" SMB3.1.1 compression transform header
)

// SMB2 header layout and flags (MS-SMB2 2.2.1).
const (
	smb2HeaderLen     = 64
	smb2FlagResponse  = 0x00000001
	smb2FlagAsync     = 0x00000002
	smb2FlagRelated   = 0x00000004
	smb2TransformLen  = 52
	smb2MaxDataOffset = 1 << 16
)

// SMB2 command codes (MS-SMB2 2.2.1.2).
const (
	smb2Negotiate      = 0x0000
	smb2SessionSetup   = 0x0001
	smb2Logoff         = 0x0002
	smb2TreeConnect    = 0x0003
	smb2TreeDisconnect = 0x0004
	smb2Create         = 0x0005
	smb2Close          = 0x0006
	smb2Flush          = 0x0007
	smb2Read           = 0x0008
	smb2Write          = 0x0009
	smb2Lock           = 0x000A
	smb2Ioctl          = 0x000B
	smb2Cancel         = 0x000C
	smb2Echo           = 0x000D
	smb2QueryDirectory = 0x000E
	smb2ChangeNotify   = 0x000F
	smb2QueryInfo      = 0x0010
	smb2SetInfo        = 0x0011
	smb2OplockBreak    = 0x0012
)

// SMB2 share types (TREE_CONNECT response).
const (
	smb2ShareDisk  = 1
	smb2SharePipe  = 2
	smb2SharePrint = 3
)

// SMB2 SET_INFO info types and file information classes (MS-FSCC 2.4).
const (
	smb2InfoFile               = 1
	fileRenameInformation      = 10
	fileDispositionInformation = 13
)

// CreateOptions bits (MS-SMB2 2.2.13).
const (
	createOptDirectory     = 0x00000001
	createOptDeleteOnClose = 0x00001000
)

// Multichannel and durable handles (MS-SMB2 2.2.4, 2.2.5, 2.2.13.2,
// 2.2.31): the NEGOTIATE capability, the SESSION_SETUP flag that binds a
// new connection to an existing session, the CREATE context names of
// durable-handle requests (v1 "DHnQ", v2 "DH2Q") and reconnects ("DHnC",
// "DH2C"), and the FSCTL that makes a handle resilient.
const (
	smb2CapMultiChannel       = 0x00000008
	smb2SessionFlagBinding    = 0x01
	smb2Dialect300            = 0x0300
	smb2DialectWildcard       = 0x02FF
	ctxDurableRequest         = "DHnQ"
	ctxDurableReconnect       = "DHnC"
	ctxDurableRequestV2       = "DH2Q"
	ctxDurableReconnectV2     = "DH2C"
	fsctlLMRRequestResiliency = 0x001401D4
	// maxCreateContexts bounds the contexts walked in one CREATE (a
	// Windows client sends at most a handful).
	maxCreateContexts = 32
)

// SMB1 header layout, flags and commands (MS-CIFS 2.2.3.1, 2.2.4).
const (
	smb1HeaderLen     = 32
	smb1FlagReply     = 0x80
	smb1Flags2NTError = 0x4000
	smb1Flags2Unicode = 0x8000
	smb1NoAndX        = 0xFF
)

// SMB1 command codes used by the parser.
const (
	smb1CreateDirectory  = 0x00
	smb1DeleteDirectory  = 0x01
	smb1Open             = 0x02
	smb1Create           = 0x03
	smb1CloseCmd         = 0x04
	smb1Delete           = 0x06
	smb1Rename           = 0x07
	smb1Read             = 0x0A
	smb1Write            = 0x0B
	smb1LockAndRead      = 0x13
	smb1WriteAndUnlock   = 0x14
	smb1CreateNew        = 0x0F
	smb1Echo             = 0x2B
	smb1WriteAndClose    = 0x2C
	smb1OpenAndX         = 0x2D
	smb1ReadAndX         = 0x2E
	smb1WriteAndX        = 0x2F
	smb1Trans            = 0x25
	smb1Trans2           = 0x32
	smb1Trans2Secondary  = 0x33
	smb1FindClose2       = 0x34
	smb1TreeDisconnect   = 0x71
	smb1Negotiate        = 0x72
	smb1SessionSetupAndX = 0x73
	smb1LogoffAndX       = 0x74
	smb1TreeConnectAndX  = 0x75
	smb1NTTrans          = 0xA0
	smb1NTCreateAndX     = 0xA2
	smb1NTCancel         = 0xA4
)

// NTSTATUS values the state machine branches on.
const (
	statusSuccess         = 0x00000000
	statusPending         = 0x00000103
	statusBufferOverflow  = 0x80000005
	statusEndOfFile       = 0xC0000011
	statusMoreProcessing  = 0xC0000016
	statusAccessDenied    = 0xC0000022
	windowsTickPerSecond  = 10000000
	windowsToUnixSeconds  = 11644473600
	fileIDLen             = 16
	maxSaneFileOffset     = 1 << 40
	ntlmsspAuthenticate   = 3
	dcerpcVersionMajor    = 5
	smb2RelatedAllOnesFID = ^uint64(0)
)
