package smb

import "strconv"

// smb2CommandNames are the EVE spellings of SMB2 commands (Suricata's).
var smb2CommandNames = [...]string{
	smb2Negotiate:      "SMB2_COMMAND_NEGOTIATE_PROTOCOL",
	smb2SessionSetup:   "SMB2_COMMAND_SESSION_SETUP",
	smb2Logoff:         "SMB2_COMMAND_SESSION_LOGOFF",
	smb2TreeConnect:    "SMB2_COMMAND_TREE_CONNECT",
	smb2TreeDisconnect: "SMB2_COMMAND_TREE_DISCONNECT",
	smb2Create:         "SMB2_COMMAND_CREATE",
	smb2Close:          "SMB2_COMMAND_CLOSE",
	smb2Flush:          "SMB2_COMMAND_FLUSH",
	smb2Read:           "SMB2_COMMAND_READ",
	smb2Write:          "SMB2_COMMAND_WRITE",
	smb2Lock:           "SMB2_COMMAND_LOCK",
	smb2Ioctl:          "SMB2_COMMAND_IOCTL",
	smb2Cancel:         "SMB2_COMMAND_CANCEL",
	smb2Echo:           "SMB2_COMMAND_KEEPALIVE",
	smb2QueryDirectory: "SMB2_COMMAND_FIND",
	smb2ChangeNotify:   "SMB2_COMMAND_CHANGE_NOTIFY",
	smb2QueryInfo:      "SMB2_COMMAND_GET_INFO",
	smb2SetInfo:        "SMB2_COMMAND_SET_INFO",
	smb2OplockBreak:    "SMB2_COMMAND_OPLOCK_BREAK",
}

// smb2CommandName returns the EVE name of an SMB2 command, or its decimal
// value when unknown.
func smb2CommandName(c uint16) string {
	if int(c) < len(smb2CommandNames) {
		return smb2CommandNames[c]
	}
	return strconv.Itoa(int(c))
}

// smb1CommandNames are the EVE spellings of SMB1 commands (Suricata's).
var smb1CommandNames = [256]string{
	smb1CreateDirectory:  "SMB1_COMMAND_CREATE_DIRECTORY",
	smb1DeleteDirectory:  "SMB1_COMMAND_DELETE_DIRECTORY",
	smb1Open:             "SMB1_COMMAND_OPEN",
	smb1Create:           "SMB1_COMMAND_CREATE",
	smb1CloseCmd:         "SMB1_COMMAND_CLOSE",
	0x05:                 "SMB1_COMMAND_FLUSH",
	smb1Delete:           "SMB1_COMMAND_DELETE",
	smb1Rename:           "SMB1_COMMAND_RENAME",
	0x08:                 "SMB1_COMMAND_QUERY_INFORMATION",
	0x09:                 "SMB1_COMMAND_SET_INFORMATION",
	smb1Read:             "SMB1_COMMAND_READ",
	smb1Write:            "SMB1_COMMAND_WRITE",
	0x0C:                 "SMB1_COMMAND_LOCK_BYTE_RANGE",
	0x0D:                 "SMB1_COMMAND_UNLOCK_BYTE_RANGE",
	0x0E:                 "SMB1_COMMAND_CREATE_TEMPORARY",
	0x0F:                 "SMB1_COMMAND_CREATE_NEW",
	0x10:                 "SMB1_COMMAND_CHECK_DIRECTORY",
	0x11:                 "SMB1_COMMAND_PROCESS_EXIT",
	0x12:                 "SMB1_COMMAND_SEEK",
	0x13:                 "SMB1_COMMAND_LOCK_AND_READ",
	0x14:                 "SMB1_COMMAND_WRITE_AND_UNLOCK",
	0x1A:                 "SMB1_COMMAND_READ_RAW",
	0x1D:                 "SMB1_COMMAND_WRITE_RAW",
	0x22:                 "SMB1_COMMAND_SET_INFORMATION2",
	0x23:                 "SMB1_COMMAND_QUERY_INFORMATION2",
	0x24:                 "SMB1_COMMAND_LOCKING_ANDX",
	smb1Trans:            "SMB1_COMMAND_TRANS",
	0x26:                 "SMB1_COMMAND_TRANS_SECONDARY",
	0x27:                 "SMB1_COMMAND_IOCTL",
	smb1Echo:             "SMB1_COMMAND_ECHO",
	smb1WriteAndClose:    "SMB1_COMMAND_WRITE_AND_CLOSE",
	smb1OpenAndX:         "SMB1_COMMAND_OPEN_ANDX",
	smb1ReadAndX:         "SMB1_COMMAND_READ_ANDX",
	smb1WriteAndX:        "SMB1_COMMAND_WRITE_ANDX",
	smb1Trans2:           "SMB1_COMMAND_TRANS2",
	smb1Trans2Secondary:  "SMB1_COMMAND_TRANS2_SECONDARY",
	smb1FindClose2:       "SMB1_COMMAND_FIND_CLOSE2",
	smb1TreeDisconnect:   "SMB1_COMMAND_TREE_DISCONNECT",
	smb1Negotiate:        "SMB1_COMMAND_NEGOTIATE_PROTOCOL",
	smb1SessionSetupAndX: "SMB1_COMMAND_SESSION_SETUP_ANDX",
	smb1LogoffAndX:       "SMB1_COMMAND_LOGOFF_ANDX",
	smb1TreeConnectAndX:  "SMB1_COMMAND_TREE_CONNECT_ANDX",
	0x80:                 "SMB1_COMMAND_QUERY_INFO_DISK",
	0x81:                 "SMB1_COMMAND_SEARCH",
	0x82:                 "SMB1_COMMAND_FIND",
	0x83:                 "SMB1_COMMAND_FIND_UNIQUE",
	0x84:                 "SMB1_COMMAND_FIND_CLOSE",
	smb1NTTrans:          "SMB1_COMMAND_NT_TRANS",
	0xA1:                 "SMB1_COMMAND_NT_TRANS_SECONDARY",
	smb1NTCreateAndX:     "SMB1_COMMAND_NT_CREATE_ANDX",
	smb1NTCancel:         "SMB1_COMMAND_NT_CANCEL",
	0xA5:                 "SMB1_COMMAND_NT_RENAME",
	0xC0:                 "SMB1_COMMAND_OPEN_PRINT_FILE",
	0xC1:                 "SMB1_COMMAND_WRITE_PRINT_FILE",
	0xC2:                 "SMB1_COMMAND_CLOSE_PRINT_FILE",
	0xD8:                 "SMB1_COMMAND_READ_BULK",
	0xD9:                 "SMB1_COMMAND_WRITE_BULK",
	0xDA:                 "SMB1_COMMAND_WRITE_BULK_DATA",
	0xFE:                 "SMB1_COMMAND_INVALID",
	0xFF:                 "SMB1_COMMAND_NONE",
}

// smb1CommandName returns the EVE name of an SMB1 command.
func smb1CommandName(c uint8) string {
	if s := smb1CommandNames[c]; s != "" {
		return s
	}
	return strconv.Itoa(int(c))
}

// smb2DialectName returns the EVE spelling of an SMB2 dialect revision.
func smb2DialectName(d uint16) string {
	switch d {
	case 0x0202:
		return "2.02"
	case 0x0210:
		return "2.10"
	case 0x0222:
		return "2.22"
	case 0x0224:
		return "2.24"
	case 0x02ff:
		return "2.??"
	case 0x0300:
		return "3.00"
	case 0x0302:
		return "3.02"
	case 0x0310:
		return "3.10"
	case 0x0311:
		return "3.11"
	}
	return strconv.Itoa(int(d))
}

// dispositionName returns the EVE spelling of a CreateDisposition.
func dispositionName(d uint32) string {
	switch d {
	case 0:
		return "FILE_SUPERSEDE"
	case 1:
		return "FILE_OPEN"
	case 2:
		return "FILE_CREATE"
	case 3:
		return "FILE_OPEN_IF"
	case 4:
		return "FILE_OVERWRITE"
	case 5:
		return "FILE_OVERWRITE_IF"
	}
	return "UNKNOWN"
}

// shareTypeName returns the EVE spelling of an SMB2 share type.
func shareTypeName(t uint8) string {
	switch t {
	case smb2ShareDisk:
		return "FILE"
	case smb2SharePipe:
		return "PIPE"
	case smb2SharePrint:
		return "PRINT"
	}
	return "UNKNOWN"
}
