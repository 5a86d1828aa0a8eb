/// A kind of bought component: its name, unit, price range in cents, usual line size and delivery pack.
struct ComponentKind {
    var name: String
    var unit: String
    var cents: ClosedRange<Int>
    var line: ClosedRange<Int>
    var pack: (name: String, size: Int)?

    init(
        _ name: String, _ unit: String, _ cents: ClosedRange<Int>, line: ClosedRange<Int> = 1...4,
        pack: (name: String, size: Int)? = nil
    ) {
        self.name = name
        self.unit = unit
        self.cents = cents
        self.line = line
        self.pack = pack
    }
}

/// The vocabulary of the parts maker's catalogue.
enum AutomotiveNames {
    static let components: [ComponentKind] = [
        ComponentKind("Hex bolt M8x25", "unit", 3...40, line: 10...50, pack: ("box", 100)),
        ComponentKind("Hex nut M10", "unit", 2...15, line: 10...50, pack: ("box", 200)),
        ComponentKind("Washer 10.5 mm", "unit", 1...8, line: 10...60, pack: ("box", 500)),
        ComponentKind("Bracket, steel", "unit", 80...900),
        ComponentKind("Bracket, aluminium", "unit", 150...1_500),
        ComponentKind("O-ring", "unit", 5...60, line: 5...20, pack: ("bag", 50)),
        ComponentKind("Shaft seal", "unit", 60...800),
        ComponentKind("Ball bearing", "unit", 150...2_500),
        ComponentKind("Rubber bushing", "unit", 40...500),
        ComponentKind("Hose clamp", "unit", 10...120, line: 5...20, pack: ("box", 100)),
        ComponentKind("Pressure sensor", "unit", 800...6_500),
        ComponentKind("Temperature sensor", "unit", 500...3_500),
        ComponentKind("Connector housing", "unit", 20...300, line: 2...10),
        ComponentKind("Wire harness section", "unit", 400...4_500),
        ComponentKind("Gasket", "unit", 30...900),
        ComponentKind("Compression spring", "unit", 5...150, line: 2...10),
        ComponentKind("Dowel pin", "unit", 2...30, line: 10...50, pack: ("box", 500)),
        ComponentKind("Blind rivet", "unit", 1...10, line: 20...100, pack: ("box", 1_000)),
        ComponentKind("Blade fuse", "unit", 10...80, line: 5...25, pack: ("box", 100)),
        ComponentKind("Relay 12 V", "unit", 120...900),
        ComponentKind("Solenoid valve", "unit", 900...5_500),
        ComponentKind("Filter element", "unit", 150...1_800),
        ComponentKind("Grommet", "unit", 3...60, line: 5...20),
        ComponentKind("Coolant hose", "m", 250...1_500, line: 1...6, pack: ("roll", 50)),
        ComponentKind("Brake line tube 4.75 mm", "m", 120...600, line: 1...6, pack: ("roll", 100)),
        ComponentKind("Cable 1.5 mm²", "m", 30...200, line: 5...25, pack: ("reel", 500)),
        ComponentKind("PA66-GF30 granulate", "kg", 250...600, line: 5...25, pack: ("bag", 25)),
        ComponentKind("Steel strip DC04", "kg", 90...200, line: 10...50),
        ComponentKind("Cast housing blank", "unit", 400...3_800),
        ComponentKind("PCB assembly", "unit", 900...6_000),
        ComponentKind("Die-cast cover", "unit", 300...2_500),
        ComponentKind("Thermal pad", "unit", 20...200, line: 2...10),
    ]

    static let fluids = [
        "Brake fluid DOT 4", "Brake fluid DOT 5.1", "Coolant G12evo", "Coolant G13", "Engine oil 0W-20",
        "Engine oil 5W-30", "ATF Dexron VI", "Gear oil 75W-90", "CVT fluid", "Power steering fluid",
        "Washer fluid concentrate", "Hydraulic oil HLP 46", "Assembly lubricant", "Battery coolant",
    ]

    static let controlUnits = [
        "Engine control unit", "Transmission control unit", "ABS/ESP module", "Airbag control unit",
        "Body control module", "Battery management unit", "EPS control unit", "Gateway module", "Seat control module",
        "Headlamp levelling module",
    ]

    static let finished = [
        "Brake caliper assembly", "Water pump module", "Fuel pump module", "Steering rack", "Headlamp unit", "Radiator",
        "Alternator", "Starter motor", "Door lock actuator", "Window regulator", "Wiper motor", "HVAC blower",
        "Oil pump", "Thermostat housing", "EGR valve", "Throttle body", "Brake booster", "Clutch master cylinder",
        "Shock absorber", "Control arm", "Tail lamp", "Mirror actuator", "Coolant pump, electric", "Charge air cooler",
    ]

    static let variants = [
        "front left", "front right", "rear left", "rear right", "1.5 TSI", "2.0 TDI", "EV platform", "hybrid",
        "heavy duty", "export", "long wheelbase", "facelift", "sport", "van", "4x4", "base", "comfort", "premium",
        "fleet", "cold climate",
    ]

    static let serviceParts = [
        "Brake pad set, front", "Brake disc, vented", "Spark plug", "Glow plug", "Timing belt kit", "Wiper blade set",
        "Air filter", "Cabin filter", "Oil filter", "Fuel filter", "Lambda sensor", "Wheel bearing kit", "Drive belt",
        "Ignition coil", "Brake pad set, rear", "Wheel speed sensor",
    ]
}

/// The vocabulary of the distributor's catalogue.
enum DistributorNames {
    static let cables: [ComponentKind] = [
        ComponentKind("NYM-J 3x1.5 mm²", "m", 40...120, line: 10...100, pack: ("drum", 500)),
        ComponentKind("NYM-J 5x2.5 mm²", "m", 90...260, line: 10...80, pack: ("drum", 500)),
        ComponentKind("H07RN-F 5G2.5", "m", 250...650, line: 5...50, pack: ("drum", 250)),
        ComponentKind("CAT6A S/FTP", "m", 60...180, line: 20...150, pack: ("drum", 500)),
        ComponentKind("Solar cable 6 mm²", "m", 80...220, line: 10...100, pack: ("drum", 500)),
        ComponentKind("Copper pipe 15 mm", "m", 600...1_400, line: 3...30, pack: ("bundle", 50)),
    ]

    static let fasteners: [ComponentKind] = [
        ComponentKind("Cable tie 4.8x200, bag of 100", "unit", 150...600, line: 1...10),
        ComponentKind("Wall plug 8 mm, box of 100", "unit", 200...900, line: 1...6),
        ComponentKind("Chipboard screw 5x60, box of 200", "unit", 500...1_800, line: 1...6),
        ComponentKind("Wago connector 221, box of 50", "unit", 900...2_400, line: 1...8),
        ComponentKind("Pipe clip 15 mm, bag of 10", "unit", 250...900, line: 1...10),
        ComponentKind("Insulating tape", "unit", 80...350, line: 1...12),
        ComponentKind("Junction box IP65", "unit", 180...900, line: 1...10),
        ComponentKind("Conduit 20 mm, 3 m length", "unit", 90...400, line: 2...20),
        ComponentKind("PTFE thread tape", "unit", 50...250, line: 1...12),
        ComponentKind("Silicone sealant, 310 ml", "unit", 350...1_200, line: 1...12),
    ]

    static let electrical: [ComponentKind] = [
        ComponentKind("MCB B16 1P", "unit", 250...900, line: 1...12),
        ComponentKind("RCD 40 A 30 mA", "unit", 1_800...6_500, line: 1...4),
        ComponentKind("Contactor 3P 25 A", "unit", 1_500...5_500, line: 1...4),
        ComponentKind("Socket outlet, flush", "unit", 300...1_500, line: 1...20),
        ComponentKind("LED panel 60x60", "unit", 2_500...8_000, line: 1...10),
        ComponentKind("Motion sensor", "unit", 1_200...4_500, line: 1...6),
        ComponentKind("Distribution board 3-row", "unit", 4_500...15_000, line: 1...2),
        ComponentKind("Smart relay", "unit", 2_500...6_500, line: 1...6),
        ComponentKind("Surge protector type 2", "unit", 4_000...12_000, line: 1...3),
        ComponentKind("Energy meter DIN rail", "unit", 3_000...9_000, line: 1...3),
    ]

    static let hvac: [ComponentKind] = [
        ComponentKind("Pleated filter G4 592x592", "unit", 400...1_500, line: 1...12),
        ComponentKind("Room thermostat", "unit", 2_500...9_000, line: 1...4),
        ComponentKind("Zone valve 22 mm", "unit", 3_500...9_500, line: 1...3),
        ComponentKind("Circulation pump 25-60", "unit", 9_000...32_000, line: 1...2),
        ComponentKind("Expansion vessel 18 l", "unit", 2_500...6_000, line: 1...2),
        ComponentKind("Radiator valve set", "unit", 1_200...3_500, line: 1...6),
        ComponentKind("Condensate pump", "unit", 4_500...11_000, line: 1...2),
        ComponentKind("Flexible duct 125 mm", "unit", 900...2_500, line: 1...6),
    ]

    static let chemicals = [
        "Refrigerant R32, cylinder", "Refrigerant R290, cylinder", "Refrigerant R454B, cylinder",
        "Heating system inhibitor", "Glycol heat transfer fluid", "Pipe insulation adhesive",
    ]

    static let equipment = [
        "Air-to-water heat pump 8 kW", "Air-to-water heat pump 12 kW", "Wallbox 11 kW", "Frequency inverter 5.5 kW",
        "Gas condensing boiler 24 kW", "Hybrid inverter 10 kW", "Split air conditioner 3.5 kW", "Home battery 10 kWh",
    ]

    static let kits = [
        "Wallbox installation kit", "Heat pump connection kit", "Smart home starter kit", "Bathroom fan kit",
        "Consumer unit upgrade kit", "Solar roof mounting kit", "Radiator replacement kit", "EV cable set 5 m",
    ]
}
