package probe

import "padlock/tlswire"

func heartbeatMode(data []byte) uint8 {
	m, err := tlswire.ParseHeartbeat(data)
	if err != nil {
		return 0
	}
	return m
}

func alpn(data []byte) string {
	s, err := tlswire.ParseALPNServer(data)
	if err != nil {
		return ""
	}
	return s
}
