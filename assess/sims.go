package assess

import (
	"padlock/probe"
	"padlock/registry"
)

// Sims is SSL Labs API v3's SimDetails: the handshake simulation results.
type Sims struct {
	Results []Sim `json:"results"`
}

// Sim is one simulated client's handshake (SSL Labs' Simulation object).
type Sim struct {
	Client         SimClient `json:"client"`
	ErrorCode      int       `json:"errorCode"` // 0 success, 1 failure
	ErrorMessage   string    `json:"errorMessage,omitempty"`
	Attempts       int       `json:"attempts"`
	ProtocolID     int       `json:"protocolId,omitempty"`
	SuiteID        int       `json:"suiteId,omitempty"`
	SuiteName      string    `json:"suiteName,omitempty"`
	KxType         string    `json:"kxType,omitempty"`
	KxStrength     int       `json:"kxStrength,omitempty"`
	DHBits         int       `json:"dhBits,omitempty"`
	NamedGroupBits int       `json:"namedGroupBits,omitempty"`
	NamedGroupID   int       `json:"namedGroupId,omitempty"`
	NamedGroupName string    `json:"namedGroupName,omitempty"`
	// PadlockInconclusive marks a failure that says nothing about the
	// server (a timeout, the scan cut short); it never counts against it.
	PadlockInconclusive bool `json:"padlockInconclusive,omitempty"`
	// PadlockPredicted marks a result worked out from the enumerated
	// preferences with no connection of its own (attempts 0), confirmed
	// by a live client with the same outcome.
	PadlockPredicted bool `json:"padlockPredicted,omitempty"`
}

// SimClient is SSL Labs' SimClient: who was simulated.
type SimClient struct {
	ID          string `json:"id"` // padlock's profile id (SSL Labs uses a number)
	Name        string `json:"name"`
	Platform    string `json:"platform,omitempty"`
	Version     string `json:"version"`
	IsReference bool   `json:"isReference"`
}

func simulations(res *probe.Result, keys *leafKeys) *Sims {
	if len(res.Simulations) == 0 {
		return nil
	}
	out := &Sims{Results: make([]Sim, 0, len(res.Simulations))}
	for _, s := range res.Simulations {
		sim := Sim{
			Client:              SimClient{ID: s.Client, Name: s.Name, IsReference: s.Reference},
			ErrorCode:           s.ErrorCode(),
			ErrorMessage:        s.Error,
			Attempts:            s.Attempts,
			PadlockInconclusive: s.Inconclusive,
			PadlockPredicted:    s.Predicted,
		}
		if p, ok := registry.ClientProfileByID(s.Client); ok {
			sim.Client.Name, sim.Client.Platform, sim.Client.Version = p.Name, p.Platform, p.Version
		}
		if !s.Failed {
			sim.ProtocolID = ProtocolID(s.Protocol)
			sim.SuiteID = int(s.Suite)
			// The negotiated suite's key exchange, described as in suites[].
			desc := suite(s.Protocol, probe.AcceptedSuite{ID: uint32(s.Suite), Group: s.Group}, keys)
			sim.SuiteName, sim.KxType, sim.KxStrength = desc.Name, desc.KxType, desc.KxStrength
			sim.NamedGroupBits, sim.NamedGroupID, sim.NamedGroupName = desc.NamedGroupBits, desc.NamedGroupID, desc.NamedGroupName
			if s.DHBits > 0 {
				sim.DHBits, sim.KxStrength = s.DHBits, s.DHBits
			}
		}
		out.Results = append(out.Results, sim)
	}
	return out
}
